"""A report's heaviest figures are computed side by side (Figures.prefetch), on
connections of their own, and the page then reads them from its memo.

These tests commit their rows (transaction=True): other connections see only
committed records, which is also why a page inside a transaction computes its
figures one by one.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from scoretrack.accounts.models import User
from scoretrack.indicators.registry import REGISTRY
from scoretrack.indicators.tests.conftest import Make
from scoretrack.reports import figures
from scoretrack.reports.figures import Figures

HEAVY = [
    ("smes_more_than_one_module_pct", "country", None),
    ("smes_trained", "module", None),
    ("staff_trained", "sex", None),
]


@pytest.fixture
def three_smes() -> User:
    # Phase II: A takes M1 and M2, B takes M1, C takes M2 (all in Bolivia);
    # A has two participants (a woman, a man), B and C one woman each.
    make = Make()
    make.phase("II", "2020-01-01", "2021-12-31")
    d1 = make.delivery("d1", "M1", "2020-03-01")
    d2 = make.delivery("d2", "M2", "2020-05-01")
    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C")
    make.participant(d1, a, sex="female")
    make.participant(d2, a, sex="male")
    make.participant(d1, b, sex="female")
    make.participant(d2, c, sex="female")
    return User.objects.create_superuser(email="hq@example.org", password="x-123456-y")


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[int]]:
    """Which threads computed which code."""
    seen: dict[str, set[int]] = {}
    compute = figures.compute

    def recorded(code: str, *args: Any, **kwargs: Any) -> Any:
        seen.setdefault(code, set()).add(threading.get_ident())
        return compute(code, *args, **kwargs)

    monkeypatch.setattr(figures, "compute", recorded)
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_figures_are_computed_on_workers_and_read_from_the_memo(
    three_smes, threads, settings, django_assert_num_queries
):
    settings.REPORT_WORKERS = 2
    fig = Figures.for_request(three_smes, country=None, phase="II", year=None)
    fig.prefetch(HEAVY)
    assert threading.get_ident() not in set().union(*threads.values())
    assert set(threads) == {"smes_more_than_one_module_pct", "smes_trained", "staff_trained"}
    with django_assert_num_queries(0):  # the page's own connection asks nothing
        assert fig.get("smes_more_than_one_module_pct", by="country") == pytest.approx(
            {"BO": 100 / 3}
        )
        assert fig.get("smes_trained", by="module") == {"M1": 2, "M2": 2}
        assert fig.get("staff_trained", by="sex") == {"female": 3, "male": 1}


@pytest.mark.django_db(transaction=True)
def test_one_worker_leaves_the_figures_to_the_page(three_smes, threads, settings):
    settings.REPORT_WORKERS = 1
    fig = Figures.for_request(three_smes, country=None, phase="II", year=None)
    fig.prefetch(HEAVY)
    assert threads == {}
    assert fig.get("smes_trained") == 3


@pytest.mark.django_db
def test_inside_a_transaction_the_page_computes_its_figures_itself(three_smes, threads, settings):
    # A test's rows are uncommitted: another connection would not see them.
    settings.REPORT_WORKERS = 2
    fig = Figures.for_request(three_smes, country=None, phase="II", year=None)
    fig.prefetch(HEAVY)
    assert threads == {}
    assert fig.get("smes_more_than_one_module_pct") == pytest.approx(100 / 3)


@pytest.mark.django_db(transaction=True)
def test_a_failing_figure_fails_the_page(three_smes, settings):
    settings.REPORT_WORKERS = 2
    fig = Figures.for_request(three_smes, country=None, phase="II", year=None)
    with pytest.raises(KeyError):
        fig.prefetch([*HEAVY, ("no_such_indicator", None, None)])


@pytest.mark.django_db(transaction=True)
def test_the_programme_report_page_renders_with_workers(three_smes, settings, client):
    settings.REPORT_WORKERS = 2
    client.force_login(three_smes)
    response = client.get("/reports/programme/?phase=II")
    assert response.status_code == 200
    assert b"Figure 6. SMEs trained per country and phase" in response.content


@pytest.mark.django_db(transaction=True)
def test_the_country_profile_renders_with_workers(three_smes, settings, client, monkeypatch):
    computed_on: set[int] = set()
    item = REGISTRY["eit_mixed_pct"]

    def recorded(ctx: Any) -> Any:
        computed_on.add(threading.get_ident())
        return item.compute(ctx)

    monkeypatch.setitem(REGISTRY, "eit_mixed_pct", dataclasses.replace(item, compute=recorded))
    settings.REPORT_WORKERS = 2
    client.force_login(three_smes)
    response = client.get("/reports/country/BO/?phase=II")
    assert response.status_code == 200
    assert b"Gender indicators by phase" in response.content
    # Computed by a worker only: the page (this thread) read it from its memo.
    assert computed_on and threading.get_ident() not in computed_on
