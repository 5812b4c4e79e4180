"""An import's files kept aside between its check and its import (review.csv_import):
in IMPORT_DIR/collect/<token>/, the token held by the user's session, so that the
import reads the very files that were checked and only their checker may import them.
Taken once; a stash older than a day is swept at the next check."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

SESSION_KEY = "collect_import_tokens"
KEEP_SECONDS = 24 * 3600


@dataclass
class Upload:
    form_id: str
    name: str
    main: bytes
    repeats: dict[str, bytes] = field(default_factory=dict)


def _root() -> Path:
    return Path(settings.IMPORT_DIR) / "collect"


def _sweep(now: float) -> None:
    for folder in _root().glob("*"):
        try:
            if now - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def keep(request: Any, upload: Upload) -> str:
    _sweep(time.time())
    token = secrets.token_urlsafe(16)
    folder = _root() / token
    (folder / "repeats").mkdir(parents=True)
    (folder / "main").write_bytes(upload.main)
    names = {}
    for n, (name, data) in enumerate(upload.repeats.items()):
        (folder / "repeats" / str(n)).write_bytes(data)
        names[str(n)] = name
    about = {"form": upload.form_id, "name": upload.name, "repeats": names}
    (folder / "about.json").write_text(json.dumps(about))
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], token]
    return token


def take(request: Any, token: str) -> Upload | None:
    """The files checked under `token`, if this session checked them (then forgotten)."""
    tokens = request.session.get(SESSION_KEY, [])
    folder = _root() / token
    if token not in tokens or not (folder / "about.json").is_file():
        return None
    request.session[SESSION_KEY] = [t for t in tokens if t != token]
    try:
        about = json.loads((folder / "about.json").read_text())
        repeats = {
            name: (folder / "repeats" / n).read_bytes() for n, name in about["repeats"].items()
        }
        return Upload(about["form"], about["name"], (folder / "main").read_bytes(), repeats)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
