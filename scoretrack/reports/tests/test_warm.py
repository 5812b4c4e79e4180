"""The worker makes the reports, their PDFs and disclosure counts ahead of the readers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.exchange.management.commands import worker as worker_command
from scoretrack.indicators.registry import evaluate
from scoretrack.indicators.tests.conftest import Make, request_for
from scoretrack.lib.freshness import bump, data_version
from scoretrack.reports import views
from scoretrack.reports import warm as warm_module
from scoretrack.reports.tests.workers import idle_worker
from scoretrack.reports.warm import (
    MARK,
    READ,
    aggregate_users,
    is_warm,
    kept_seconds,
    mark,
    plan,
    warm,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db: Any, settings: Any) -> Make:
    """A..F trained in Bolivia in 2020, G..K in Peru."""
    settings.DISCLOSURE_CACHE_SECONDS = 60
    make = Make()
    make.phase("I", "2020-01-01", "2020-12-31")
    for country, firms in (("BO", "ABCDEF"), ("PE", "GHIJK")):
        delivery = make.delivery(f"d-{country}", start="2020-03-01", country=country)
        for key in firms:
            make.participant(delivery, make.enterprise(key, country=country))
    return make


def viewer(email: str) -> User:
    user = User.objects.create(email=email)
    RoleAssignment.objects.create(user=user, role="viewer")
    return user


def test_one_user_of_each_aggregate_scope_is_warmed(programme: Make) -> None:
    first, _second = viewer("a@example.org"), viewer("b@example.org")
    buyer_org = programme.org("LB", type="lead_buyer", country=None)
    buyer = User.objects.create(email="lb@example.org")
    RoleAssignment.objects.create(user=buyer, role="lead_buyer", organisation=buyer_org)
    User.objects.create(email="admin@example.org", is_superuser=True)
    assert [user.email for user in aggregate_users()] == [first.email, buyer.email]


def test_after_the_warm_up_a_viewer_asks_no_disclosure_count(programme: Make) -> None:
    reader = viewer("v@example.org")
    bump()
    # The programme report and the profiles of Bolivia and Peru, all time and phase I.
    assert warm() == 6
    with CaptureQueriesContext(connection) as seen:
        answer = evaluate(reader, request_for("smes_trained", country="BO", phase="I"))
    assert answer["values"] == {"smes_trained": 6}
    assert not any("GROUP BY" in query["sql"] for query in seen.captured_queries)


def test_the_idle_worker_makes_one_page_a_turn_once_per_version_of_the_data(
    programme: Make, settings: Any
) -> None:
    settings.DISCLOSURE_WARM_SECONDS = 30
    viewer("v@example.org")
    made: list[tuple[Any, ...]] = []
    idle = idle_worker()
    now = [0.0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker_command, "warm_page", made.append)
        patch.setattr(worker_command.time, "monotonic", lambda: now[0])
        turns = [idle.warm() for _ in range(7)]  # t=0: 6 pages, then nothing new
        assert turns == [True] * 6 + [False]
        assert [(page.country, page.phase) for page in made] == [
            (None, None),
            ("BO", None),
            ("PE", None),
            (None, "I"),
            ("BO", "I"),
            ("PE", "I"),
        ]
        now[0] = 40.0
        assert idle.warm() is False  # looked again: the same data
        bump()
        assert idle.warm() is False  # changed, but the next look is at t=70
        now[0] = 70.0
        assert idle.warm() is True  # a new version: the plan again
    assert len(made) == 7


def test_the_worker_says_when_the_pages_then_their_pdfs_are_made(
    programme: Make, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DISCLOSURE_WARM_SECONDS = 30
    settings.REPORTS_CACHE_SECONDS = 60
    User.objects.create(email="admin@example.org", is_superuser=True)
    bump()
    version = data_version()
    idle = idle_worker()
    seen = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker_command, "warm_page", lambda page: None)
        caplog.set_level("INFO", logger="django_tasks_db")
        # 6 pages (the programme report, Bolivia and Peru; all time and phase I), then
        # 3 tracking tables (the programme's, Bolivia's and Peru's), then 6 PDFs.
        for _ in range(15):
            assert idle.warm() is True
            seen.append((is_warm(version, "pages"), is_warm(version)))
        assert idle.warm() is False
    assert seen == [(False, False)] * 5 + [(True, False)] * 9 + [(True, True)]
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("made the")]
    assert [text.split(" in ")[0] for text in said] == [
        "made the report pages ahead of their readers",
        "made the reports ahead of their readers",
    ]
    assert all(text.endswith(f"(data version {version})") for text in said)


def test_the_plan_is_made_again_when_its_pages_expire_though_the_data_did_not_change(
    programme: Make, settings: Any
) -> None:
    settings.DISCLOSURE_WARM_SECONDS = 30
    viewer("v@example.org")
    idle = idle_worker()
    made: list[Any] = []
    now = [0.0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker_command, "warm_page", made.append)
        patch.setattr(worker_command.time, "monotonic", lambda: now[0])
        assert [idle.warm() for _ in range(7)] == [True] * 6 + [False]
        now[0] = 40.0
        assert idle.warm() is False  # kept: nothing to do
        cache.delete(f"{MARK}:all")  # as when its time (DISCLOSURE_CACHE_SECONDS) is up
        now[0] = 80.0
        assert idle.warm() is True
    assert len(made) == 7


def test_the_mark_lasts_as_long_as_the_first_page_made_is_kept(settings: Any) -> None:
    settings.REPORTS_CACHE_SECONDS = 3600
    settings.DISCLOSURE_CACHE_SECONDS = 600
    assert kept_seconds() == 600
    settings.DISCLOSURE_CACHE_SECONDS = 0
    assert kept_seconds() == 3600
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warm_module.time, "monotonic", lambda: 1000.0)
        patch.setattr(warm_module.cache, "set", lambda *args: kept.append(args))
        kept: list[tuple[Any, ...]] = []
        mark(7, "all", started=100.0)  # the warm-up took 900 s of the page's 3600
    assert kept == [(f"{MARK}:all", 7, 2700)]


BOLIVIA = "/reports/country/BO/"


def test_a_page_read_with_a_year_is_made_again_after_a_change(
    programme: Make, caching: Any, admin_client: Any
) -> None:
    client = admin_client
    assert client.get(BOLIVIA, {"year": "2020"}).status_code == 200
    assert client.get(reverse("reports:programme"), {"year": "2020", "format": "pdf"})
    bump()
    read = [(p.country, p.phase, p.format, p.query) for p in plan() if p.query]
    # The programme's PDF was read last: the most recent first, HTML before every PDF.
    assert read == [
        ("BO", None, "html", (("year", "2020"),)),
        (None, None, "pdf", (("year", "2020"),)),
    ]
    warm()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "country_profile", refuse)  # made ahead: not built again
        response = client.get(BOLIVIA, {"year": "2020"})
    assert response.status_code == 200
    assert b"2020" in response.content


def refuse(*args: Any) -> None:
    raise AssertionError("the report was built again")


def test_pages_asked_fresh_downloads_own_reports_and_the_warm_up_are_not_noted(
    programme: Make, caching: Any, admin_client: Any, client: Any
) -> None:
    admin_client.get(BOLIVIA, {"year": "2020", "fresh": "1"})
    admin_client.get(BOLIVIA, {"year": "2020", "format": "csv", "table": "smes"})
    partner = User.objects.create(email="p@example.org")
    RoleAssignment.objects.create(user=partner, role="partner", organisation=programme.org("P1"))
    client.force_login(partner)
    client.get(BOLIVIA, {"year": "2020"})  # its own report (user:...), not a scope's
    warm()  # the worker's own requests
    assert cache.get(READ) is None
    assert [page for page in plan() if page.query] == []


def test_only_the_most_recently_read_pages_are_planned(
    programme: Make, caching: Any, admin_client: Any
) -> None:
    client = admin_client
    clock = iter(range(1_000_000, 1_000_010))  # one second a read
    peru = reverse("reports:country", args=["PE"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warm_module, "READ_KEPT", 3)
        patch.setattr(warm_module, "clock", lambda: float(next(clock)))
        for year in ("2018", "2019", "2020"):
            client.get(peru, {"year": year})
        # 2019 again within the hour of its note: not noted again (not moved up).
        client.get(peru, {"year": "2019"})
        assert [dict(p.query)["year"] for p in plan() if p.query] == ["2020", "2019", "2018"]
        client.get(peru, {"year": "2017"})  # the oldest of four left out
        assert [dict(p.query)["year"] for p in plan() if p.query] == ["2017", "2020", "2019"]
