"""The page language: the user's own choice, else the session/cookie, else the browser's."""

from __future__ import annotations

from collections.abc import Callable
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
