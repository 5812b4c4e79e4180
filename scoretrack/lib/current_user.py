"""The user on whose behalf the current request or command runs.

Set by middleware for requests and by services/commands for other work, so that
every record's created_by / updated_by is stamped in one place (Record.save).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_current_user: ContextVar[Any | None] = ContextVar("scoretrack_current_user", default=None)


def get_current_user() -> Any | None:
    user = _current_user.get()
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


@contextmanager
def acting_as(user: Any | None) -> Iterator[None]:
    token = _current_user.set(user)
    try:
        yield
    finally:
        _current_user.reset(token)


class CurrentUserMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)
