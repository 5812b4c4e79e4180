"""Text no database should be asked to store, refused where the request comes in.

PostgreSQL refuses NUL in text (a 500 when it reached the driver); SQLite keeps
it, and the other C0 control characters, which no workbook (XML) can hold and
the export then chokes on; an unpaired surrogate cannot even be encoded. So the
same text is refused on both databases, with a 400 naming the parameter: once,
here, for the address, every query and form parameter of every page and API
endpoint (`UnstorableTextMiddleware`), and for the API's JSON bodies through
their strict types (`lib.api_types.JsonText`). Tab, line feed and carriage
return are text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from scoretrack.lib.cells import UNSTORABLE  # one set of characters, whatever the path

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def unstorable(text: str) -> str | None:
    """How the first character of `text` that cannot be stored is called
    ("NUL", "U+001B"); None when there is none."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    character = found.group()
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"


def cannot_be_stored(character: str) -> str:
    """The API's message (English, as all of the API's)."""
    return f"holds a character that cannot be stored ({character})"


def problems_of(request: HttpRequest, *, form: bool) -> list[tuple[str | None, str, str]]:
    """(parameter, where, character) for the address and each parameter name or
    value (of the query, and with `form` of a POSTed form) holding unstorable
    text; `where` is "path", "name" or "value"."""
    found: list[tuple[str | None, str, str]] = []
    character = unstorable(request.path_info)
    if character:
        found.append((None, "path", character))
    for name, values in _parameters(request, form):
        character = unstorable(name)
        if character:
            found.append((None, "name", character))
            continue
        for value in values:
            character = unstorable(value)
            if character:
                found.append((name, "value", character))
                break
    return found


def _parameters(request: HttpRequest, form: bool) -> Iterable[tuple[str, list[str]]]:
    yield from request.GET.lists()
    if form and request.method == "POST" and request.content_type in FORM_TYPES:
        yield from request.POST.lists()


class UnstorableTextMiddleware:
    """400 for unstorable text in the address, query or form, before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], *args: Any
    ) -> HttpResponse | None:
        # A form is read here as the CSRF check reads it. A view exempt from that
        # check reads its body itself (the API's JSON, checked by its types; an
        # upload with its own size limit): left to it. File names are sanitised
        # by Django.
        form = not getattr(view, "csrf_exempt", False)
        found = problems_of(request, form=form)
        if not found:
            return None
        if request.path.startswith(API_PREFIX):
            return _api_refusal(found)
        return render(
            request, "unstorable.html", {"errors": [_message(*p) for p in found]}, status=400
        )


def _api_refusal(found: list[tuple[str | None, str, str]]) -> JsonResponse:
    detail = []
    for name, where, character in found:
        what = {"path": "the address ", "name": "a parameter's name ", "value": ""}[where]
        detail.append({"field": name, "message": f"{what}{cannot_be_stored(character)}"})
    return JsonResponse({"error": "invalid input", "detail": detail}, status=400)


def _message(name: str | None, where: str, character: str) -> str:
    if where == "path":
        text = _("the address holds a character that cannot be stored (%(character)s)")
    elif where == "name":
        text = _("a parameter's name holds a character that cannot be stored (%(character)s)")
    else:
        text = _('parameter "%(name)s" holds a character that cannot be stored (%(character)s)')
    return text % {"name": name, "character": character}
