"""`scoretrack import` and `scoretrack export` on the command line."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.tests.conftest import BASICS


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run a command as the console does, minus closing the test's database connection.

    The console turns a CommandError into its message on stderr and exit code 1.
    """
    try:
        call_command(*argv)
        code = 0
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        code = exc.returncode
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_prints_counts_per_sheet(admin: Any, csv_folder: Any, capsys: Any) -> None:
    code, out, _err = run(capsys, "import", str(csv_folder(BASICS)))
    assert code == 0
    assert "enterprises: 2 created, 0 updated, 0 unchanged" in out.splitlines()
    code, out, _err = run(capsys, "import", str(csv_folder(BASICS)))
    assert "organisations: 0 created, 0 updated, 2 unchanged" in out.splitlines()


def test_import_prints_one_error_per_line_and_fails(
    admin: Any, csv_folder: Any, capsys: Any
) -> None:
    sheets = {
        "countries": [["code", "name", "start_date"], ["CO", "Colombia", "soon"], ["PE", "", ""]],
    }
    code, _out, err = run(capsys, "import", str(csv_folder(sheets)))
    assert code == 1
    assert err.splitlines()[:2] == [
        "countries:2:start_date: not a date: use YYYY-MM-DD (value 'soon')",
        "countries:3:name: required",
    ]
    assert "2 error(s): nothing was imported" in err


def test_a_dry_run_changes_nothing(admin: Any, csv_folder: Any, capsys: Any) -> None:
    code, out, _err = run(capsys, "import", "--dry-run", str(csv_folder(BASICS)))
    assert code == 0
    assert "enterprises: 2 created, 0 updated, 0 unchanged" in out
    assert "dry run: nothing was changed" in out
    assert not Enterprise.objects.exists()


def test_import_of_a_file_that_is_not_a_workbook_fails(
    admin: Any, tmp_path: Path, capsys: Any
) -> None:
    junk = tmp_path / "notes.xlsx"
    junk.write_text("hello")
    code, _out, err = run(capsys, "import", str(junk))
    assert code == 1
    assert "notes.xlsx::: not an xlsx workbook, a zip of CSV files or a CSV file" in err


def test_an_empty_folder_imports_nothing_and_fails(admin: Any, tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "empty").mkdir()
    code, _out, err = run(capsys, "import", str(tmp_path / "empty"))
    assert code == 1
    assert "nothing was imported" in err


@pytest.mark.parametrize("name", ["out.xlsx", "out.zip", "out"])
def test_an_exported_file_re_imports_unchanged(
    admin: Any, csv_folder: Any, tmp_path: Path, capsys: Any, name: str
) -> None:
    run(capsys, "import", str(csv_folder(BASICS)))
    code, out, _err = run(
        capsys, "export", str(tmp_path / name), "--country", "co", "--sheet", "enterprises"
    )
    assert code == 0 and "exported 1 sheet(s)" in out
    if name.endswith(".zip"):
        assert zipfile.ZipFile(tmp_path / name).namelist() == ["enterprises.csv"]
    code, out, _err = run(capsys, "import", str(tmp_path / name))
    assert out.splitlines()[0] == "enterprises: 0 created, 0 updated, 2 unchanged"


def test_export_refuses_an_unknown_sheet(admin: Any, tmp_path: Path, capsys: Any) -> None:
    code, _out, err = run(capsys, "export", str(tmp_path / "x.xlsx"), "--sheet", "firms")
    assert code == 1
    assert "unknown sheet(s): firms" in err


def test_export_takes_several_sheets_after_one_option(
    admin: Any, csv_folder: Any, tmp_path: Path, capsys: Any
) -> None:
    run(capsys, "import", str(csv_folder(BASICS)))
    code, _out, _err = run(
        capsys, "export", str(tmp_path / "two"), "--sheet", "countries", "organisations"
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        "countries.csv",
        "organisations.csv",
    ]


@pytest.mark.parametrize("command", ["export", "import", "values"])
def test_data_commands_start_without_the_system_checks(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the console (run_from_argv), as `scoretrack export` runs: the checks load
    every URL and build the API's schemas, 1.5 s of start-up for nothing."""
    from django.core import checks
    from django.core.management import load_command_class

    def refuse(*args: Any, **kwargs: Any) -> list[Any]:
        raise AssertionError("the system checks ran")

    monkeypatch.setattr(checks, "run_checks", refuse)
    app = "indicators" if command == "values" else "exchange"
    handled: list[str] = []
    instance = load_command_class(f"scoretrack.{app}", command)
    monkeypatch.setattr(instance, "handle", lambda *a, **k: handled.append(command))
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    argv = ["scoretrack", command] + (["--code", "smes_trained"] if command == "values" else ["x"])
    instance.run_from_argv(argv)
    assert handled == [command]
