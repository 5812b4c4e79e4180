"""The navigation shows each role only the pages it may use (web/navigation.py)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client

RECORDS = ["Enterprises", "Deliveries", "Trainers", "Organisations"]
MONEY = ["Costs", "Contributions"]
EXCHANGE = ["Import", "Export"]
FORMS = "Field forms"  # the field forms (collect/forms.py) a role may submit
REVIEW = ["Approval", "Data quality"]  # scoretrack.quality: partners mark periods ready

# What each role of the scoping world sees in the navigation, in order. Events and
# Catalogues (pages of other branches of issue 18) appear once their pages exist.
EXPECTED = {
    "global": [
        "Home",
        *RECORDS,
        *MONEY,
        "Events",
        FORMS,
        "Reports",
        "Results",
        *REVIEW,
        "Submissions",
        *EXCHANGE,
        "Catalogues",
    ],
    "country": [
        "Home",
        *RECORDS,
        *MONEY,
        "Events",
        FORMS,
        "Reports",
        "Results",
        *REVIEW,
        "Submissions",
        *EXCHANGE,
    ],
    "partner": ["Home", *RECORDS, *MONEY, FORMS, "Reports", "Results", "Approval", *EXCHANGE],
    "trainer": ["Home", *RECORDS, FORMS, "Reports", "Results"],
    "enterprise": [
        "Home",
        *RECORDS,
        FORMS,
        "Reports",
        "Results",
    ],  # the KPI and worker survey forms
    "lead_buyer": ["Home", "Reports", "Results"],
    "viewer": ["Home", "Reports", "Results"],
    "nobody": ["Home"],
}


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "no main navigation"
    return [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>.*?</a>", nav[1])]


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_sees_only_the_pages_it_may_use(world: SimpleNamespace, role: str) -> None:
    client = Client()
    client.force_login(world.users[role])
    html = client.get("/").content.decode()
    assert nav_labels(html) == EXPECTED[role]


def test_a_staff_user_also_sees_the_admin(world: SimpleNamespace) -> None:
    user = world.users["global"]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    assert nav_labels(client.get("/").content.decode())[-1] == "Admin"


def test_the_current_page_is_marked(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.users["country"])
    html = client.get("/deliveries/").content.decode()
    assert '<a href="/deliveries/" aria-current="page">Deliveries</a>' in html
    assert html.count('aria-current="page"') == 1


def test_the_links_shown_open(world: SimpleNamespace) -> None:
    """No link of the navigation leads a role to a page it is refused."""
    for role in ("trainer", "enterprise", "partner", "lead_buyer", "viewer"):
        client = Client()
        client.force_login(world.users[role])
        html = client.get("/").content.decode()
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)[1]
        for url in re.findall(r'href="([^"]+)"', nav):
            assert client.get(url).status_code == 200, (role, url)


def test_signed_out_pages_have_no_menu(db: None) -> None:
    html = Client().get("/login/").content.decode()
    assert "menu-toggle" not in html
    assert 'aria-label="Main"' not in html


@pytest.mark.parametrize(
    ("role", "events", "catalogues"),
    [
        ("global", True, True),
        ("country", True, False),
        ("partner", False, False),
        ("trainer", False, False),
        ("lead_buyer", False, False),
        ("viewer", False, False),
    ],
)
def test_events_and_catalogues_show_to_those_who_may_use_them(
    world: SimpleNamespace, role: str, events: bool, catalogues: bool
) -> None:
    client = Client()
    client.force_login(world.users[role])
    labels = nav_labels(client.get("/").content.decode())
    assert ("Events" in labels) == events
    assert ("Catalogues" in labels) == catalogues
