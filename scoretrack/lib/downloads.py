"""Tell the page when a slow download has started.

A link or form marked `data-busy` shows a "preparing" status and sends a `dl`
token; the file's response sets a cookie holding that token, which the page's
script watches for to clear the status. The user is never left at a page that
looks frozen while a PDF or an export is being built.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TOKEN = re.compile(r"^[A-Za-z0-9]{6,40}$")
COOKIE = "scoretrack_download"


class DownloadStartedMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        token = request.GET.get("dl", "")
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        if token and TOKEN.match(token) and attachment:
            response.set_cookie(COOKIE, token, max_age=120, samesite="Lax")
        return response
