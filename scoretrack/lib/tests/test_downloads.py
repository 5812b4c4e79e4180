"""A slow download tells its page when it has started (a cookie with the page's token)."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from scoretrack.lib.downloads import COOKIE, DownloadStartedMiddleware


def respond(path: str, response: HttpResponse) -> HttpResponse:
    return DownloadStartedMiddleware(lambda request: response)(RequestFactory().get(path))


def test_an_attachment_with_a_token_sets_the_cookie() -> None:
    file = FileResponse(io.BytesIO(b"%PDF"), as_attachment=True, filename="x.pdf")
    assert respond("/r/?format=pdf&dl=abc123XYZ", file).cookies[COOKIE].value == "abc123XYZ"


def test_no_cookie_for_a_page_or_a_bad_token() -> None:
    assert COOKIE not in respond("/r/?dl=abc123XYZ", HttpResponse("page")).cookies
    file = FileResponse(io.BytesIO(b"%PDF"), as_attachment=True, filename="x.pdf")
    assert COOKIE not in respond("/r/?dl=<script>", file).cookies
