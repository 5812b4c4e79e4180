"""The page language: the user's own choice, else the session/cookie, else the browser's."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and getattr(user, "is_authenticated", False):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def compile_stale_catalogues(locale_dir: Path) -> list[Path]:
    """Compile each django.po whose .mo is missing or older (what `make install` does).

    For a suite started without make on a fresh clone: the .mo files are not in git.
    Written through a temporary file so that parallel test workers never read half a file.
    """
    if shutil.which("msgfmt") is None:
        return []
    compiled = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        tmp = mo.with_name(f"django.{os.getpid()}.mo.tmp")
        subprocess.run(["msgfmt", "--check-format", "-o", str(tmp), str(po)], check=True)
        os.replace(tmp, mo)
        compiled.append(mo)
    return compiled
