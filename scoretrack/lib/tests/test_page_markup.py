"""Accessible markup of the record pages: every field labelled, tables with header scopes."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)


class Fields(HTMLParser):
    """Collects the inputs, the ids that labels point at, and header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.th_without_scope = 0
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labelled.add(a["for"] or "")
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.inputs.append({**a, "wrapped": "yes" if self.label_depth else None})
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


PAGES = [
    "enterprises:enterprise-create",
    "training:delivery-create",
    "trainers:trainer-create",
    "reference:organisation-create",
    "finance:cost-create",
    "finance:contribution-create",
    "enterprises:enterprise-list",
    "training:delivery-list",
    "trainers:trainer-list",
    "reference:organisation-list",
    "finance:cost-list",
    "finance:contribution-list",
]


def check(html: str) -> None:
    parsed = Fields()
    parsed.feed(html)
    unlabelled = [
        f.get("name")
        for f in parsed.inputs
        if not f["wrapped"] and f.get("id") not in parsed.labelled and not f.get("aria-label")
    ]
    assert unlabelled == []
    assert parsed.th_without_scope == 0
    assert parsed.inputs  # the check looked at something


@pytest.mark.parametrize("name", PAGES)
def test_every_field_is_labelled_and_every_header_scoped(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    name: str,
) -> None:
    check(admin_client.get(reverse(name)).content.decode())


@pytest.mark.parametrize("kind", ["enrolments", "participants", "visits"])
def test_the_inline_forms_are_labelled_too(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    kind: str,
) -> None:
    html = admin_client.get(reverse(f"training:{kind}-add", args=[world.d_bo.pk])).content
    check(html.decode())


def test_the_check_finds_an_unlabelled_field() -> None:
    with pytest.raises(AssertionError):
        check('<form><input name="x" id="id_x"></form>')
    with pytest.raises(AssertionError):
        check('<label for="id_x">X</label><input name="x" id="id_x"><table><th>A</th></table>')
