"""A figure for a run of periods in one query (`series.compute_series`, issue 20).

The fixture, in Bolivia unless said (quarters of 2014; D0 in 2013 is before them):
- D0 (M1, 2013-06-01): firm C, a man                         -> baseline
- D1 (M1, 2014-02-10): firm A, a woman and a man             -> Q1
- D2 (M2, 2014-05-05): firm A, a woman; firm B, a man        -> Q2
- D3 (M1, 2014-05-20, Peru): firm D, a woman                 -> Q2
- D4 (M2, 2014-11-03): firm C, a woman                       -> Q4
Direct costs: 100 on 2014-01-15, 50 on 2014-05-01, 25 on 2014-05-31.

smes_trained per quarter: Q1 1 (A), Q2 3 (A, B, D), Q3 0, Q4 1 (C); baseline 1 (C).
From the start ("up to" each quarter's end), each firm once: Q1 2 (C, A), Q2 4
(+B, D), Q3 4, Q4 4 (C again, counted once). By module in Q2: M1 1 (D), M2 2 (A, B).
staff_trained: Q1 2, Q2 3, Q3 0, Q4 1; up to Q2's end 6.
direct_costs_usd: Q1 100, Q2 75, Q3 0, Q4 0; up to Q2's end 175.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators.registry import (
    REGISTRY,
    Filters,
    Request,
    Source,
    compute,
    resolve,
)
from scoretrack.indicators.series import compute_series
from scoretrack.indicators.tests.conftest import Make
from scoretrack.lib import derived
from scoretrack.training.models import Participant

pytestmark = pytest.mark.django_db

QUARTERS = [
    (dt.date(2014, 1, 1), dt.date(2014, 3, 31)),
    (dt.date(2014, 4, 1), dt.date(2014, 6, 30)),
    (dt.date(2014, 7, 1), dt.date(2014, 9, 30)),
    (dt.date(2014, 10, 1), dt.date(2014, 12, 31)),
]


@pytest.fixture
def firms(db: Any) -> Make:
    make = Make()
    make.country("BO")
    make.country("PE")
    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C")
    d = make.enterprise("D", country="PE")
    make.participant(make.delivery("D0", "M1", "2013-06-01"), c, "male", "manager")
    d1 = make.delivery("D1", "M1", "2014-02-10")
    make.participant(d1, a, "female", "worker")
    make.participant(d1, a, "male", "manager")
    d2 = make.delivery("D2", "M2", "2014-05-05")
    make.participant(d2, a, "female", "worker")
    make.participant(d2, b, "male", "worker")
    make.participant(make.delivery("D3", "M1", "2014-05-20", country="PE"), d, "female", "worker")
    make.participant(make.delivery("D4", "M2", "2014-11-03"), c, "female", "worker")
    make.cost("2014-01-15", "100")
    make.cost("2014-05-01", "50")
    make.cost("2014-05-31", "25")
    return make


def base_of(user: Any, **given: Any) -> Filters:
    return resolve(Source(user), Request(codes=["smes_trained"], **given))


def periods(base: Filters, *, up_to: bool = False, by: str | None = None) -> list[Filters]:
    """The baseline (before 2014), then each quarter of 2014 (or from the start to its end)."""
    found = [dataclasses.replace(base, start=None, end=dt.date(2013, 12, 31), by=by)]
    for start, end in QUARTERS:
        found.append(dataclasses.replace(base, start=None if up_to else start, end=end, by=by))
    return found


def test_each_quarter_and_the_baseline_in_one_query(admin, firms, django_assert_num_queries):
    base = base_of(admin)
    with derived.refreshed_once():
        derived.refresh()  # the look at the derived rows' queue, done beforehand
        with django_assert_num_queries(1):
            found = compute_series("smes_trained", admin, periods(base), {})
    assert found == [1, 1, 3, 0, 1]


def test_a_firm_counts_once_from_the_start_to_each_quarters_end(admin, firms):
    base = base_of(admin)
    assert compute_series("smes_trained", admin, periods(base, up_to=True), {}) == [1, 2, 4, 4, 4]
    assert compute_series("staff_trained", admin, periods(base, up_to=True), {}) == [1, 3, 6, 6, 7]
    money = compute_series("direct_costs_usd", admin, periods(base, up_to=True), {})
    assert money == [0, 100, 175, 175, 175]


def test_periods_own_and_up_to_side_by_side_in_two_queries(admin, firms, django_assert_num_queries):
    base = base_of(admin)
    own, up_to = periods(base), periods(base, up_to=True)
    mixed = [own[1], up_to[2], own[2], up_to[4], up_to[1], own[4]]
    with derived.refreshed_once():
        derived.refresh()  # the look at the derived rows' queue, done beforehand
        with django_assert_num_queries(2):
            found = compute_series("smes_trained", admin, mixed, {})
    assert found == [1, 4, 3, 4, 2, 1]


def test_a_disaggregation_keeps_only_the_groups_of_each_period(admin, firms):
    base = base_of(admin)
    found = compute_series("smes_trained", admin, periods(base, by="module"), {})
    assert found == [{"M1": 1}, {"M1": 1}, {"M1": 1, "M2": 2}, {}, {"M2": 1}]


def test_a_country_filter_and_a_share(admin, firms):
    base = base_of(admin, country="BO")
    assert compute_series("smes_trained", admin, periods(base), {}) == [1, 1, 2, 0, 1]
    # Women among staff trained in Bolivia: Q1 1 of 2, Q2 1 of 2, Q3 none, Q4 1 of 1.
    women = compute_series("staff_trained_women_pct", admin, periods(base), {})
    assert women == [0.0, 50.0, 50.0, None, 100.0]


def test_the_figures_are_kept_for_compute_to_read(admin, firms, django_assert_num_queries):
    base = base_of(admin)
    memo: dict[Any, Any] = {}
    asked = periods(base)
    compute_series("staff_trained", admin, asked, memo)
    with django_assert_num_queries(0):  # staff_trained reads no derived rows
        assert [compute("staff_trained", admin, f, memo) for f in asked] == [1, 2, 3, 0, 1]


def workforces() -> None:
    for key, women, men in (("A", 10, 5), ("B", 3, 4), ("C", 20, 0), ("D", 1, 1)):
        Enterprise.objects.filter(key=key).update(workforce_female=women, workforce_male=men)


def test_an_indicator_not_periodic_is_asked_period_by_period(admin, firms, monkeypatch):
    base = base_of(admin)
    code = "workforce_represented"
    monkeypatch.setitem(REGISTRY, code, dataclasses.replace(REGISTRY[code], periodic=False))
    workforces()
    found = compute_series(code, admin, periods(base), {})
    # Baseline C 20; Q1 A 15; Q2 A, B, D 15 + 7 + 2; Q3 nobody; Q4 C 20.
    assert found == [20, 15, 24, 0, 20]


def test_workforce_of_each_periods_firms_in_one_query(admin, firms, django_assert_num_queries):
    base = base_of(admin)
    workforces()
    asked = periods(base) + periods(base, up_to=True)[1:]
    with derived.refreshed_once():
        derived.refresh()  # the attendances rebuilt, beforehand
        with django_assert_num_queries(1):
            found = compute_series("workforce_represented", admin, asked, {})
    # Each quarter's own as above; from the start each firm once: up to Q1 C, A
    # 35; up to Q2 and Q3 + B, D 44; up to Q4 44 (C once).
    assert found == [20, 15, 24, 0, 20, 35, 44, 44, 44]
    by_sex = compute_series("workforce_represented", admin, periods(base, by="sex"), {})
    # Women: baseline C 20, Q1 A 10, Q2 A, B, D 10 + 3 + 1; men 0, 5, 5 + 4 + 1.
    assert by_sex == [
        {"female": 20, "male": 0},
        {"female": 10, "male": 5},
        {"female": 14, "male": 10},
        {"female": 0, "male": 0},
        {"female": 20, "male": 0},
    ]
    by_country = compute_series("workforce_represented", admin, periods(base, by="country"), {})
    assert by_country == [{"BO": 20}, {"BO": 15}, {"BO": 22, "PE": 2}, {}, {"BO": 20}]


def test_more_than_one_module_by_each_periods_end_in_one_query(
    admin, firms, django_assert_num_queries
):
    base = base_of(admin)
    asked = periods(base) + periods(base, up_to=True)[1:]
    with derived.refreshed_once():
        derived.refresh()  # the look at the derived rows' queue, done beforehand
        with django_assert_num_queries(1):
            found = compute_series("smes_more_than_one_module_pct", admin, asked, {})
    # Each quarter's own: Q2 A (M1 in Q1, then M2) of A, B, D; Q4 C (M1 in 2013,
    # then M2) of C. From the start: up to Q1 C and A, neither with two modules yet;
    # up to Q2 and Q3 A of A, B, C, D; up to Q4 A and C of them.
    third = pytest.approx(100 / 3)
    assert found == [0.0, 0.0, third, None, 100.0, 0.0, 25.0, 25.0, 50.0]
    assert found == [compute("smes_more_than_one_module_pct", admin, f) for f in asked]


def test_mixed_improvement_teams_by_each_periods_end_in_one_query(
    admin, firms, django_assert_num_queries
):
    """EIT members: A's woman and man in D1 (Q1), B's man in D2 (Q2), C's man in D0
    (2013) and woman in D4 (Q4)."""
    for delivery, firm, sex in (
        ("D1", "A", "female"),
        ("D1", "A", "male"),
        ("D2", "B", "male"),
        ("D0", "C", "male"),
        ("D4", "C", "female"),
    ):
        Participant.objects.filter(delivery__key=delivery, enterprise__key=firm, sex=sex).update(
            eit_member=True
        )
    base = base_of(admin)
    asked = periods(base) + periods(base, up_to=True)[1:]
    with derived.refreshed_once():
        derived.refresh()  # the attendances rebuilt, beforehand
        with django_assert_num_queries(1):
            found = compute_series("eit_mixed_pct", admin, asked, {})
    # Baseline: C (a man only) recorded, not mixed. Q1: A mixed. Q2: A mixed, B
    # recorded, D none. Q4: C mixed by then. From the start: up to Q1 A of A, C; up
    # to Q2 and Q3 A of A, B, C; up to Q4 A and C of them.
    third = pytest.approx(100 / 3)
    assert found == [0.0, 100.0, 50.0, None, 100.0, 50.0, third, third, pytest.approx(200 / 3)]
    assert found == [compute("eit_mixed_pct", admin, f) for f in asked]


def both(base: Filters, by: str | None = None) -> list[Filters]:
    """The baseline and each quarter's own, then from the start to each quarter's end."""
    return periods(base, by=by) + periods(base, up_to=True, by=by)[1:]


def one_query(admin: Any, code: str, asked: list[Filters], count: Any) -> list[Any]:
    with derived.refreshed_once():
        derived.refresh()  # the derived rows' queues looked at, beforehand
        with count(1):
            found = compute_series(code, admin, asked, {})
    assert found == [compute(code, admin, f) for f in asked]
    return found


def test_cost_savings_statistics_of_each_period_in_one_query(
    admin, firms, django_assert_num_queries
):
    """Savings: A 100 (2014-02-01) and 50 (2014-03-01) in Q1, 30 (2014-05-01) in
    Q2; B 20 in Q2 (and 0, no saving); C 400 in 2013 (and 10 with no start date,
    in no period); D 60 in Q4. Per firm: baseline C 400; Q1 A 150; Q2 A 30, B 20;
    Q3 none; Q4 D 60. From the start: up to Q1 C 400, A 150; up to Q2 and Q3 C
    400, A 180, B 20; up to Q4 and D 60."""
    a, b, c, d = (Enterprise.objects.get(key=key) for key in "ABCD")
    firms.initiative(a, "a1", saving_usd=100, started_on="2014-02-01")
    firms.initiative(a, "a2", saving_usd=50, started_on="2014-03-01")
    firms.initiative(a, "a3", saving_usd=30, started_on="2014-05-01")
    firms.initiative(b, "b1", saving_usd=20, started_on="2014-05-10")
    firms.initiative(b, "b2", saving_usd=0, started_on="2014-05-11")
    firms.initiative(c, "c1", saving_usd=400, started_on="2013-07-01")
    firms.initiative(c, "c2", saving_usd=10)
    firms.initiative(d, "d1", saving_usd=60, started_on="2014-11-01")
    base = base_of(admin)
    asked = both(base)
    mean = one_query(admin, "cost_savings_mean_usd", asked, django_assert_num_queries)
    assert mean == [400, 150, 25, None, 60, 275, 200, 200, 165]
    median = compute_series("cost_savings_median_usd", admin, asked, {})
    assert median == [400, 150, 25, None, 60, 275, 180, 180, 120]
    assert compute_series("cost_savings_min_usd", admin, asked, {}) == [
        400,
        150,
        20,
        None,
        60,
        150,
        20,
        20,
        20,
    ]
    assert compute_series("cost_savings_max_usd", admin, asked, {}) == [
        400,
        150,
        30,
        None,
        60,
        400,
        400,
        400,
        400,
    ]
    by_country = compute_series("cost_savings_mean_usd", admin, both(base, "country"), {})
    assert by_country[2] == {"BO": 25} and by_country[4] == {"PE": 60}
    assert by_country[8] == {"BO": 200, "PE": 60}


def test_jobs_created_in_each_period_in_one_query(admin, firms, django_assert_num_queries):
    """Employment: A 10 (2014-01), 12 (2014-02), 15 (2014-05), 20 (2014-11); B 5
    (2013-06), 8 (2014-04); D 3 (2014-07). A period's change needs two points in
    it: Q1 A +2; baseline, Q2, Q3, Q4 one point each at most, 0. From the start: up
    to Q1 A +2; up to Q2 and Q3 A +5, B +3; up to Q4 A +10, B +3."""
    a, b, d = (Enterprise.objects.get(key=key) for key in "ABD")
    jobs = firms.kpi("employment")
    firms.observations(a, jobs, "2014-01", "10", "12")
    firms.observations(a, jobs, "2014-05", "15")
    firms.observations(a, jobs, "2014-11", "20")
    firms.observations(b, jobs, "2013-06", "5")
    firms.observations(b, jobs, "2014-04", "8")
    firms.observations(d, jobs, "2014-07", "3")
    base = base_of(admin)
    # The periods apart from each other in one pass over the points, no join.
    found = one_query(admin, "jobs_created", periods(base), django_assert_num_queries)
    assert found == [0, 2, 0, 0, 0]
    up_to = periods(base, up_to=True)[1:]
    assert compute_series("jobs_created", admin, both(base), {}) == [0, 2, 0, 0, 0, 2, 8, 8, 13]
    assert compute_series("jobs_created", admin, up_to, {}) == [
        compute("jobs_created", admin, f) for f in up_to
    ]
    by_country = compute_series("jobs_created", admin, both(base, "country"), {})
    # A group with points of the KPI in the period is in the figure, if only with 0.
    assert by_country == [
        {"BO": 0},
        {"BO": 2},
        {"BO": 0},
        {"PE": 0},
        {"BO": 0},
        {"BO": 2},
        {"BO": 8},
        {"BO": 8, "PE": 0},
        {"BO": 13, "PE": 0},
    ]
    assert by_country == [compute("jobs_created", admin, f) for f in both(base, "country")]


def test_partners_active_at_each_periods_end_in_one_query(admin, firms, django_assert_num_queries):
    """P1 (BO) from 2013-01-01; P2 (BO) 2014-02-01 to 2014-06-30, then (PE) from
    2014-10-01; P3, a lead buyer (PE), 2014-05-01 to 2014-09-29. On the ends:
    2013-12-31 P1; Q1 P1, P2; Q2 P1, P2 (its last day), P3; Q3 P1; Q4 P1, P2."""
    p1, p2 = firms.org("P1"), firms.org("P2")
    p3 = firms.org("P3", type="lead_buyer", country="PE")
    firms.agreement(p1, "2013-01-01")
    firms.agreement(p2, "2014-02-01", "2014-06-30")
    firms.agreement(p2, "2014-10-01", country="PE")
    firms.agreement(p3, "2014-05-01", "2014-09-29", country="PE")
    base = base_of(admin)
    found = one_query(admin, "partners_active", both(base), django_assert_num_queries)
    assert found == [1, 2, 3, 1, 2, 2, 3, 1, 2]
    by_country = compute_series("partners_active", admin, periods(base, by="country"), {})
    assert by_country == [{"BO": 1}, {"BO": 2}, {"BO": 2, "PE": 1}, {"BO": 1}, {"BO": 1, "PE": 1}]
    by_type = compute_series("partners_active", admin, periods(base, by="type"), {})
    assert by_type[2] == {"employer_organisation": 2, "lead_buyer": 1}


def test_periods_differing_in_more_than_their_dates_are_refused(admin, firms):
    base = base_of(admin)
    other = dataclasses.replace(base_of(admin, country="BO"), start=QUARTERS[0][0])
    with pytest.raises(ValueError, match="differ in more than their dates"):
        compute_series("smes_trained", admin, [periods(base)[1], other], {})


def test_every_periodic_figure_equals_its_periods_asked_one_by_one(admin, db):
    """On the generated programme: every periodic indicator, each of its
    disaggregations, its quarters and its "up to" figures, equal to `compute`'s."""
    call_command("generate", "--enterprises", "40", "--seed", "5", verbosity=0)
    base = base_of(admin)
    asked = [dataclasses.replace(base, start=None, end=dt.date(2015, 12, 31))]
    for year in (2016, 2017, 2018, 2019):
        for month in (1, 4, 7, 10):
            start = dt.date(year, month, 1)
            end = (start + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)
            asked += [dataclasses.replace(base, start=start, end=end)]
            asked += [dataclasses.replace(base, start=None, end=end)]
    checked = 0
    for code, item in REGISTRY.items():
        if not item.periodic:
            continue
        for by in (None, *item.by):
            wanted = [dataclasses.replace(f, by=by) for f in asked]
            one_by_one = [compute(code, admin, f) for f in wanted]
            assert compute_series(code, admin, wanted, {}) == one_by_one, (code, by)
            checked += 1
    assert checked > 60
