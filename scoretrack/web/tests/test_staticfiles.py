"""Static files: collected when their sources change, swapped in whole, never raced;
and a restart that answers within seconds."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management.base import CommandError

import scoretrack
from scoretrack.web import staticfiles

REPOSITORY = Path(scoretrack.__file__).resolve().parent.parent
RED = "body { color: red }\n"
TAN = "body { color: tan }\n"  # as long as RED


@pytest.fixture
def sources(tmp_path: Path, settings: Any) -> Path:
    """A project static folder of one stylesheet (the apps' static files come too),
    collected into tmp_path / "static"."""
    folder = tmp_path / "src"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "site.css").write_text(RED)
    settings.STATICFILES_DIRS = [folder]
    settings.STATIC_ROOT = tmp_path / "static"
    return folder


def served_css(tmp_path: Path) -> str:
    return (tmp_path / "static" / "css" / "site.css").read_text()


def versions(tmp_path: Path) -> list[str]:
    return sorted(entry.name for entry in (tmp_path / "static.versions").iterdir())


def test_the_fingerprint_stays_while_nothing_changes(sources: Path) -> None:
    assert staticfiles.sources_fingerprint() == staticfiles.sources_fingerprint()


def test_a_file_touched_as_by_a_git_checkout_keeps_the_fingerprint(sources: Path) -> None:
    before = staticfiles.sources_fingerprint()
    os.utime(sources / "css" / "site.css", (1_000_000_000, 1_000_000_000))
    assert staticfiles.sources_fingerprint() == before


def test_a_changed_file_changes_the_fingerprint_even_with_its_size_and_mtime(
    sources: Path,
) -> None:
    path = sources / "css" / "site.css"
    before, stat = staticfiles.sources_fingerprint(), path.stat()
    path.write_text(TAN)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert staticfiles.sources_fingerprint() != before


def test_an_added_or_renamed_file_changes_the_fingerprint(sources: Path) -> None:
    first = staticfiles.sources_fingerprint()
    (sources / "css" / "print.css").write_text(RED)
    second = staticfiles.sources_fingerprint()
    (sources / "css" / "print.css").rename(sources / "css" / "paper.css")
    assert len({first, second, staticfiles.sources_fingerprint()}) == 3


def test_it_collects_on_the_first_start_then_only_after_a_change(
    sources: Path, tmp_path: Path
) -> None:
    assert staticfiles.collect_if_changed(log=lambda line: None) is True
    assert (tmp_path / "static").is_symlink()
    assert served_css(tmp_path) == RED
    assert staticfiles.collect_if_changed(log=lambda line: None) is False
    (sources / "css" / "site.css").write_text(TAN)
    assert staticfiles.collect_if_changed(log=lambda line: None) is True
    assert served_css(tmp_path) == TAN
    assert versions(tmp_path) == [os.readlink(tmp_path / "static").split("/")[-1]]


def test_a_folder_collected_the_old_way_is_replaced_by_the_link(
    sources: Path, tmp_path: Path
) -> None:
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "site.css").write_text(TAN)
    assert staticfiles.collect_if_changed(log=lambda line: None) is True
    assert served_css(tmp_path) == RED
    assert len(versions(tmp_path)) == 1


def test_a_collect_that_fails_keeps_the_old_files_served_and_is_cleared_next_time(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staticfiles.collect_if_changed(log=lambda line: None)
    (sources / "css" / "site.css").write_text(TAN)
    real_collect = staticfiles.collect_into

    def crash(folder: Path) -> None:
        (folder / "css").mkdir(parents=True)
        (folder / "css" / "site.css").write_text("body { col")
        raise OSError("disk full")

    monkeypatch.setattr(staticfiles, "collect_into", crash)
    with pytest.raises(OSError, match="disk full"):
        staticfiles.collect_if_changed(log=lambda line: None)
    assert served_css(tmp_path) == RED
    assert len([name for name in versions(tmp_path) if name.startswith(".collecting-")]) == 1

    monkeypatch.setattr(staticfiles, "collect_into", real_collect)
    assert staticfiles.collect_if_changed(log=lambda line: None) is True
    assert served_css(tmp_path) == TAN
    assert len(versions(tmp_path)) == 1


def test_a_lock_held_too_long_ends_the_start_with_a_message(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staticfiles, "LOCK_TIMEOUT_SECONDS", 0.3)
    with open(tmp_path / "static.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="locked by another process for 0 s"):
            staticfiles.collect_if_changed(log=lambda line: None)
    assert not (tmp_path / "static").exists()


# Subprocesses: the real command, production settings with the manifest storage.


def command_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SCORETRACK_TESTING", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=str(REPOSITORY),
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="scoretrack.web.tests.manifest_settings",
        SCORETRACK_DATA_DIR=str(tmp_path / "data"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    return env


def scoretrack_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scoretrack", *args]


def expected_static_names() -> set[str]:
    """Every file the project's and the apps' static folders hold, by its name
    under STATIC_ROOT (hidden files left out, as collectstatic does)."""
    folders: list[tuple[str, Path]] = [
        (entry[0], Path(entry[1])) if isinstance(entry, tuple) else ("", Path(entry))
        for entry in django_settings.STATICFILES_DIRS
    ]
    folders += [("", Path(app.path) / "static") for app in apps.get_app_configs()]
    names = set()
    for prefix, folder in folders:
        for directory, subfolders, files in os.walk(folder):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            for name in files:
                if not name.startswith(".") and not name.endswith("~"):
                    relative = (Path(directory) / name).relative_to(folder).as_posix()
                    names.add(f"{prefix}/{relative}" if prefix else relative)
    return names


def wait_for_text(path: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < deadline, f"{path} never said {text!r}"
        time.sleep(0.05)


@pytest.mark.slow
def test_two_servers_started_together_collect_once_and_both_go_on(tmp_path: Path) -> None:
    env = command_env(tmp_path)
    outputs = [tmp_path / "first.txt", tmp_path / "second.txt"]
    # The lock is held while both start, so that both reach it, then let go at once.
    with open(tmp_path / "static.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        processes = [
            subprocess.Popen(
                scoretrack_command("serve", "--collect-only"),
                env=env,
                stdout=output.open("w"),
                stderr=subprocess.STDOUT,
            )
            for output in outputs
        ]
        for output in outputs:
            wait_for_text(output, "waiting for it", 60)
    assert [process.wait(timeout=120) for process in processes] == [0, 0]

    said = [output.read_text() for output in outputs]
    assert sum("Static files collected" in text for text in said) == 1, said
    (version,) = versions(tmp_path)
    assert os.readlink(tmp_path / "static") == f"static.versions/{version}"
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert set(manifest["paths"]) == expected_static_names()
    assert "css/scoretrack.css" in manifest["paths"]
    missing = [
        name for name in manifest["paths"].values() if not (tmp_path / "static" / name).is_file()
    ]
    assert missing == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_stopper() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_serve_on_an_existing_data_folder_answers_without_collecting_again(
    tmp_path: Path, server_stopper: list[subprocess.Popen[bytes]]
) -> None:
    env = command_env(tmp_path)
    preparing = [
        subprocess.Popen(scoretrack_command(*step), env=env, stdout=subprocess.DEVNULL)
        for step in (("migrate", "--noinput"), ("serve", "--collect-only"))
    ]
    assert [process.wait(timeout=300) for process in preparing] == [0, 0]
    port = free_port()

    started = time.monotonic()
    server = subprocess.Popen(
        scoretrack_command("serve", "--port", str(port), "--workers", "2"),
        env=env,
        stdout=(tmp_path / "serve.txt").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server_stopper.append(server)
    answer = None
    # The goal is under 10 s (measured 4.9-7.7 s on a loaded 2-core machine); the
    # bound here is a fault bound, generous for a busy CI machine.
    while answer is None and time.monotonic() - started < 30 and server.poll() is None:
        try:
            answer = get(f"http://127.0.0.1:{port}/healthz")
        except OSError:
            time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert answer is not None, (tmp_path / "serve.txt").read_text()
    status, body = answer
    assert (status, json.loads(body)["database"]["ok"]) == (200, True), elapsed
    assert "Collecting" not in (tmp_path / "serve.txt").read_text()

    # whitenoise serves the collected files through the link.
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    status, body = get(f"http://127.0.0.1:{port}/static/{manifest['paths']['css/scoretrack.css']}")
    assert (status, body) == (
        200,
        (REPOSITORY / "scoretrack/static/css/scoretrack.css").read_bytes(),
    )
