"""docs/EXCHANGE.md and docs/INDICATORS.md are generated from the code and kept so."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from scoretrack.exchange.schema import SHEETS
from scoretrack.indicators.registry import indicators
from scoretrack.web.management.commands.docs import DOCS_DIR, DOCUMENTS


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_committed_document_is_what_the_code_generates(name: str) -> None:
    committed = (DOCS_DIR / name).read_text() if (DOCS_DIR / name).is_file() else ""

    assert committed == DOCUMENTS[name](), (
        f"docs/{name} differs from what the code generates: run `scoretrack docs` "
        "(or `make docs`) and commit the result"
    )


def test_every_sheet_and_column_is_documented() -> None:
    text = DOCUMENTS["EXCHANGE.md"]()

    for sheet in SHEETS:
        assert f"### {sheet.name}\n" in text
        for column in sheet.columns:
            assert f"| `{column.name}` |" in text


def test_every_indicator_is_documented_with_its_definition() -> None:
    text = DOCUMENTS["INDICATORS.md"]()

    for item in indicators():
        assert f"### {item.code}\n" in text
        assert item.definition in text


def test_the_command_writes_the_documents_and_check_names_a_stale_one(tmp_path: Path) -> None:
    call_command("docs", "--dir", str(tmp_path), stdout=StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DOCUMENTS)
    call_command("docs", "--check", "--dir", str(tmp_path), stdout=StringIO())

    (tmp_path / "INDICATORS.md").write_text("edited by hand\n")

    with pytest.raises(CommandError, match=r"out of date: INDICATORS\.md; run `scoretrack docs`"):
        call_command("docs", "--check", "--dir", str(tmp_path), stdout=StringIO())
