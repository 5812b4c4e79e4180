"""Sizes of change: mean, median and range of KPI changes and of cost savings.

Figures worked out by hand from the records below.

KPI series (productivity: higher is better; defect_rate: lower is better):
  F1 BO Textiles  productivity Jan..Jul 2020: 100 105 110 115 120 125 130
                  (6 months apart: +30%); defect_rate Jan..Jul 2020: 10 .. 7.5
                  (10, 9, 9, 8, 8, 8, 7.5: down 25%, an improvement: +25)
  F2 BO Food      productivity Jan 2020 50, Dec 2020 60 (11 months apart: +20%);
                  defect_rate Jan 2020 4, Aug 2020 5 (7 months apart: up 25%, a
                  worsening: -25)
  F3 PE           productivity Mar 2020 200, Oct 2020 600 (7 months apart: +200%)
  F4 PE           productivity Jan 2020 10, May 2020 20 (4 months apart: left out)
  F5 PE           productivity Jan 2020 0, Dec 2020 10 (first value 0: left out)

All time, every KPI together: -25, 20, 25, 30, 200: mean 250 / 5 = 50, median
25, range -25 to 200. Productivity: 20, 30, 200: mean 250 / 3, median 30.
Defect rate: -25, 25: mean 0, median 0. BO: -25, 20, 25, 30: mean 50 / 4 =
12.5, median (20 + 25) / 2 = 22.5. PE: 200.
Up to June 2020 (2020 Q2) no series has its ends six months apart: none.

Savings (initiatives: saving_usd, started on):
  F1 500 (2020-02-01), 1,000 (2021-03-01), no saving (2020-03-01)
  F2 50,000 (2020-05-01)
  F3 0 (2020-06-01): records no saving
  F4 PE 2,000 (2021-01-01)
Per firm, all time: F1 1,500, F2 50,000, F4 2,000: mean 53,500 / 3, median
2,000, range 1,500 to 50,000. 2020: F1 500, F2 50,000: mean = median = 25,250.
BO: 1,500 and 50,000: mean = median 25,750. PE: 2,000.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import Source, compute, evaluate, resolve
from scoretrack.indicators.series import compute_series
from scoretrack.indicators.tests.conftest import Make, request_for
from scoretrack.lib import derived

pytestmark = pytest.mark.django_db

KPI_CODES = [f"kpi_change_{which}_pct" for which in ("mean", "median", "min", "max")]
SAVING_CODES = [f"cost_savings_{which}_usd" for which in ("mean", "median", "min", "max")]


@pytest.fixture
def firms(make: Make) -> dict[str, Any]:
    make.phase("II", "2020-01-01", "2021-12-31")
    f1 = make.enterprise("F1", sector="Textiles")
    f2 = make.enterprise("F2", sector="Food")
    f3 = make.enterprise("F3", country="PE")
    f4 = make.enterprise("F4", country="PE")
    f5 = make.enterprise("F5", country="PE")
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5}


@pytest.fixture
def kpis(make: Make, firms: dict[str, Any]) -> None:
    productivity = make.kpi("productivity", "higher")
    defects = make.kpi("defect_rate", "lower")
    f1, f2, f3, f4, f5 = (firms[key] for key in ("f1", "f2", "f3", "f4", "f5"))
    make.observations(f1, productivity, "2020-01", "100", "105", "110", "115", "120", "125", "130")
    make.observations(f1, defects, "2020-01", "10", "9", "9", "8", "8", "8", "7.5")
    make.observations(f2, productivity, "2020-01", "50")
    make.observations(f2, productivity, "2020-12", "60")
    make.observations(f2, defects, "2020-01", "4")
    make.observations(f2, defects, "2020-08", "5")
    make.observations(f3, productivity, "2020-03", "200")
    make.observations(f3, productivity, "2020-10", "600")
    make.observations(f4, productivity, "2020-01", "10")
    make.observations(f4, productivity, "2020-05", "20")
    make.observations(f5, productivity, "2020-01", "0")
    make.observations(f5, productivity, "2020-12", "10")


def values(ask: Any, codes: list[str], **filters: Any) -> list[Any]:
    return [ask(code, **filters) for code in codes]


def test_kpi_changes_all_together(ask, queries_of, kpis):
    # One query (and the look at the derived rows' queue) for the four statistics.
    assert queries_of("kpi_change_mean_pct", 2) == 50
    assert values(ask, KPI_CODES) == [50, 25, -25, 200]


def test_kpi_changes_per_kpi_and_country(ask, kpis):
    assert ask("kpi_change_mean_pct", by="kpi") == {
        "defect_rate": 0,
        "productivity": pytest.approx(250 / 3),
    }
    assert ask("kpi_change_median_pct", by="kpi") == {"defect_rate": 0, "productivity": 30}
    assert ask("kpi_change_min_pct", by="kpi") == {"defect_rate": -25, "productivity": 20}
    assert ask("kpi_change_max_pct", by="kpi") == {"defect_rate": 25, "productivity": 200}
    assert ask("kpi_change_mean_pct", by="country") == {"BO": 12.5, "PE": 200}
    assert ask("kpi_change_median_pct", by="country") == {"BO": 22.5, "PE": 200}


def test_kpi_changes_need_six_months_between_the_ends_up_to_the_periods_end(ask, kpis):
    assert values(ask, KPI_CODES, year=2020, quarter=2) == [None, None, None, None]
    # Up to the end of 2020 Q3: F1 (+30, +25) and F2's defects (Jan to Aug: -25);
    # F2's productivity has only January then (December is later), F3's only March.
    assert values(ask, KPI_CODES, year=2020, quarter=3) == [10, 25, -25, 30]
    assert values(ask, KPI_CODES, year=2020) == [50, 25, -25, 200]


def test_kpi_changes_honour_the_place_filters(ask, kpis):
    # F2 only: +20 and -25.
    assert values(ask, KPI_CODES, sector="Food") == [-2.5, -2.5, -25, 20]
    assert values(ask, KPI_CODES, country="PE") == [200, 200, 200, 200]


def test_kpi_changes_of_a_run_of_quarters_in_one_query(admin, kpis, django_assert_num_queries):
    """The baseline (up to 2019) and each quarter of 2020 at once (`compute_series`):
    the four statistics of each end from one query, as each end asked alone."""
    base = resolve(Source(admin), request_for("kpi_change_mean_pct"))
    asked = [dataclasses.replace(base, start=None, end=dt.date(2019, 12, 31))]
    for first, last in ((1, 3), (4, 6), (7, 9), (10, 12)):
        start = dt.date(2020, first, 1)
        end = (dt.date(2020, last, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        asked.append(dataclasses.replace(base, start=start, end=end))
    asked.append(dataclasses.replace(base, start=None, end=None))  # all time
    memo: dict[Any, Any] = {}
    with derived.refreshed_once():
        derived.refresh()  # the look at the derived rows' queue, done beforehand
        with django_assert_num_queries(1):
            found = [compute_series(code, admin, asked, memo) for code in KPI_CODES]
    # Per end, [mean, median, min, max]: nothing six months apart up to June; up to
    # September F1 (+30, +25) and F2's defects (-25); then all five series.
    empty = [None, None, None, None]
    assert [list(column) for column in zip(*found, strict=True)] == [
        empty,
        empty,
        empty,
        [10, 25, -25, 30],
        [50, 25, -25, 200],
        [50, 25, -25, 200],
    ]
    by_country = [dataclasses.replace(f, by="country") for f in asked]
    assert compute_series("kpi_change_median_pct", admin, by_country, {}) == [
        {},
        {},
        {},
        {"BO": 25},
        {"BO": 22.5, "PE": 200},
        {"BO": 22.5, "PE": 200},
    ]
    # Each end alone gives the same (`compute`, no series).
    assert [compute("kpi_change_mean_pct", admin, f) for f in asked] == found[0]


def test_kpis_improved_by_each_quarters_end_in_one_query(
    admin, make, kpis, django_assert_num_queries
):
    """kpi_improved_pct (series observed in six months or more up to the end) at
    once for the baseline, each quarter of 2020 and all time. Only F1's two series
    reach six months (in June), both better; F3's defect rate, added here, too: 5
    from January to May, 6 in June (worse than its first), 4 in September (better)."""
    make.observations(firms_f3(), make.kpi("defect_rate"), "2020-01", "5", "5", "5", "5", "5", "6")
    make.observations(firms_f3(), make.kpi("defect_rate"), "2020-09", "4")
    asked = quarters_of_2020(resolve(Source(admin), request_for("kpi_improved_pct")))
    with derived.refreshed_once():
        derived.refresh()  # the look at the derived rows' queue, done beforehand
        with django_assert_num_queries(1):
            found = compute_series("kpi_improved_pct", admin, asked, {})
    # Up to March no series has six months; up to June F1's two of the three.
    assert found == [None, None, pytest.approx(200 / 3), 100.0, 100.0, 100.0]
    by_kpi = [dataclasses.replace(f, by="kpi") for f in asked]
    assert compute_series("kpi_improved_pct", admin, by_kpi, {})[2] == {
        "defect_rate": 50.0,
        "productivity": 100.0,
    }
    by_country = [dataclasses.replace(f, by="country") for f in asked]
    assert compute_series("kpi_improved_pct", admin, by_country, {})[2:4] == [
        {"BO": 100.0, "PE": 0.0},
        {"BO": 100.0, "PE": 100.0},
    ]
    assert found == [compute("kpi_improved_pct", admin, f) for f in asked]


def firms_f3() -> Any:
    from scoretrack.enterprises.models import Enterprise

    return Enterprise.objects.get(key="F3")


def quarters_of_2020(base: Any) -> list[Any]:
    """The baseline (up to 2019), each quarter of 2020, all time."""
    asked = [dataclasses.replace(base, start=None, end=dt.date(2019, 12, 31))]
    for first in (1, 4, 7, 10):
        start = dt.date(2020, first, 1)
        end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
        asked.append(dataclasses.replace(base, start=start, end=end))
    return [*asked, dataclasses.replace(base, start=None, end=None)]


def test_kpi_changes_of_nothing_are_null(ask, firms):
    assert values(ask, KPI_CODES) == [None, None, None, None]
    assert ask("kpi_change_mean_pct", by="kpi") == {}


@pytest.fixture
def plans(make: Make, firms: dict[str, Any]) -> None:
    f1, f2, f3, f4 = (firms[key] for key in ("f1", "f2", "f3", "f4"))
    make.initiative(f1, "5S", saving_usd=500, started_on="2020-02-01")
    make.initiative(f1, "Layout", saving_usd=1000, started_on="2021-03-01")
    make.initiative(f1, "Childcare", started_on="2020-03-01")
    make.initiative(f2, "Energy", saving_usd=50000, started_on="2020-05-01")
    make.initiative(f3, "Lighting", saving_usd=0, started_on="2020-06-01")
    make.initiative(f4, "Maintenance", saving_usd=2000, started_on="2021-01-01")


def test_cost_savings_per_firm(ask, queries_of, plans):
    assert queries_of("cost_savings_median_usd", 1) == 2000
    assert values(ask, SAVING_CODES) == [pytest.approx(53500 / 3), 2000, 1500, 50000]
    assert values(ask, SAVING_CODES, year=2020) == [25250, 25250, 500, 50000]
    assert values(ask, SAVING_CODES, phase="II") == [pytest.approx(53500 / 3), 2000, 1500, 50000]
    assert ask("cost_savings_mean_usd", by="country") == {"BO": 25750, "PE": 2000}
    assert ask("cost_savings_max_usd", by="country") == {"BO": 50000, "PE": 2000}
    assert values(ask, SAVING_CODES, sector="Textiles") == [1500, 1500, 1500, 1500]
    assert values(ask, SAVING_CODES, year=2019) == [None, None, None, None]


def test_a_viewer_sees_sizes_of_change_only_over_enough_firms(kpis, plans, settings):
    """Threshold 3: all time, the KPI changes rest on F1, F2, F3 (mean and median
    shown); BO on F1 and F2, PE on F3 (both too few). Savings: F1, F2, F4 (shown);
    BO 2, PE 1. The smallest and largest are one firm's value: always hidden."""
    settings.DISCLOSURE_THRESHOLD = 3
    user = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=user, role="viewer")
    answer = evaluate(user, request_for(*KPI_CODES, *SAVING_CODES))
    assert answer["values"] == {
        **dict(zip(KPI_CODES, [50, 25, None, None], strict=True)),
        **dict(zip(SAVING_CODES, [pytest.approx(53500 / 3), 2000, None, None], strict=True)),
    }
    single = {"reason": "single", "who": "enterprises", "label": "the value of a single enterprise"}
    assert answer["hidden"] == dict.fromkeys((*KPI_CODES[2:], *SAVING_CODES[2:]), single)
    by_country = evaluate(user, request_for("kpi_change_max_pct", by="country"))
    assert by_country["values"] == {"kpi_change_max_pct": {"BO": None, "PE": None}}
    assert by_country["hidden"]["kpi_change_max_pct"]["BO"]["reason"] == "single"
    median = evaluate(user, request_for("kpi_change_median_pct", by="country"))
    assert median["hidden"]["kpi_change_median_pct"]["BO"]["reason"] == "few"
    savings = evaluate(user, request_for("cost_savings_min_usd", by="country"))
    assert savings["values"] == {"cost_savings_min_usd": {"BO": None, "PE": None}}
    # 2020 Q3: only F1 and F2 have series six months apart: too few.
    q3 = evaluate(user, request_for("kpi_change_mean_pct", year=2020, quarter=3))
    assert q3["values"] == {"kpi_change_mean_pct": None}
    assert q3["hidden"]["kpi_change_mean_pct"]["reason"] == "few"


def test_the_range_is_hidden_from_a_lead_buyer_through_the_api_and_the_report(
    kpis, plans, settings, client
):
    """However many firms: a lead buyer's (threshold 1, so nothing is too few) API
    answer and programme report show the mean and median, never the range."""
    from scoretrack.reports.tests.conftest import client_for

    settings.DISCLOSURE_THRESHOLD = 1
    buyer = Make().org("LB", "lead_buyer", country=None)
    lead = client_for("lead_buyer", organisation=buyer)
    query = {"code": [*KPI_CODES, *SAVING_CODES]}
    body = lead.get("/api/v1/indicators/values", query).json()
    # The lead buyer's firms: none buys from it, so every figure is of no firm.
    assert body["values"]["kpi_change_min_pct"] is None
    assert body["hidden"]["kpi_change_min_pct"]["reason"] == "single"
    viewer = client_for("viewer")
    body = viewer.get("/api/v1/indicators/values", query).json()
    assert [body["values"][code] for code in KPI_CODES] == [50, 25, None, None]
    assert {code: body["hidden"][code]["reason"] for code in body["hidden"]} == dict.fromkeys(
        (*KPI_CODES[2:], *SAVING_CODES[2:]), "single"
    )
    page = viewer.get("/reports/programme/").content.decode()
    assert "the value of a single enterprise" in page
    # The note states the mean alone: productivity 20, 30, 200 (mean 83.3).
    assert "productivity: 83.3% on average." in page
    assert "Savings per enterprise: US$17,833.3 on average." in page
    admin_page = client_for("global_admin").get("/reports/programme/").content.decode()
    assert "the value of a single enterprise" not in admin_page


def test_a_user_who_sees_no_firm_gets_null_figures(kpis, plans):
    """A user with no role sees no row: every statistic is null, every breakdown empty."""
    nobody = User.objects.create(email="nobody@example.org")
    answer = evaluate(nobody, request_for(*KPI_CODES, *SAVING_CODES))
    assert set(answer["values"].values()) == {None}
    by_kpi = evaluate(nobody, request_for("kpi_change_mean_pct", by="kpi"))
    assert by_kpi["values"] == {"kpi_change_mean_pct": {}}
