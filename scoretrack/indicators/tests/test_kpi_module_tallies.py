"""The KPI tally (outcomes.KpiTally), the KPI series tally (outcomes.KpiSeriesTally,
tested further in test_kpi_series_tally.py) and the module tally (training.ModuleTally):
the KPI points and the attendances summed across enterprises (and the attendance
tally, tested further in test_attendance_tally.py), kept exact by the
derived refresh, and the figures read from them (kpi_improved_pct, jobs_created,
smes_more_than_one_module_pct).

Small programmes worked out by hand, then random writes after which the kept sums
must equal those rebuilt from nothing; every answer also asked with the tallies
set aside (the rows' answer).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators import tallies
from scoretrack.indicators.registry import Source
from scoretrack.indicators.tests.conftest import Ask, Make
from scoretrack.indicators.tests.test_attendance_tally import attendance_tally
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSeriesTally, KpiTally
from scoretrack.reference.models import Phase as ProgrammePhase
from scoretrack.training.derived import ATTENDANCE
from scoretrack.training.models import Delivery, ModuleTally, Participant

pytestmark = pytest.mark.django_db


def _period(kind: str, key: str) -> str:
    return ProgrammePhase.objects.get(pk=key).name if kind == "phase" else key


def kpi_tally() -> dict[tuple[str, str, str, str], tuple[int, int, int, Decimal]]:
    """The kept KPI sums by (country, KPI, kind, period), zero keys left out."""
    found: dict[tuple[str, str, str, str], list[Any]] = {}
    rows = KpiTally.objects.values_list(
        "country__code", "kpi__code", "kind", "period_key", "series", "improved", "points", "gain"
    )
    for country, kpi, kind, key, *sums in rows:
        total = found.setdefault((country, kpi, kind, _period(kind, key)), [0, 0, 0, Decimal(0)])
        for i, n in enumerate(sums):
            total[i] += n
    return {
        key: (s[0], s[1], s[2], Decimal(s[3]).quantize(Decimal("0.000001")))
        for key, s in found.items()
        if any(s)
    }


def module_tally() -> dict[tuple[str | None, str, str], tuple[int, int]]:
    found: dict[tuple[str | None, str, str], list[int]] = {}
    rows = ModuleTally.objects.values_list("country__code", "kind", "period_key", "firms", "multi")
    for country, kind, key, *sums in rows:
        total = found.setdefault((country, kind, _period(kind, key)), [0, 0])
        total[0] += sums[0]
        total[1] += sums[1]
    return {key: (s[0], s[1]) for key, s in found.items() if any(s)}


def series_tally() -> dict[tuple[str | None, str | None, dt.date], tuple[int, int]]:
    """The kept KPI series sums by (country, KPI or None, month), zero keys left out."""
    found: dict[tuple[str | None, str | None, dt.date], list[int]] = {}
    rows = KpiSeriesTally.objects.values_list(
        "country__code", "kpi__code", "month", "sixth", "changed"
    )
    for country, kpi, month, *sums in rows:
        total = found.setdefault((country, kpi, month), [0, 0])
        total[0] += sums[0]
        total[1] += sums[1]
    return {key: (s[0], s[1]) for key, s in found.items() if any(s)}


def rebuilt() -> tuple[Any, Any, Any, Any]:
    derived.rebuild_all()
    return kpi_tally(), module_tally(), series_tally(), attendance_tally()


@pytest.fixture
def phases(make: Make) -> None:
    make.phase("I", "2019-01-01", "2019-12-31")
    make.phase("II", "2020-01-01", "2020-12-31")


@pytest.fixture
def kpis(phases: None, make: Make) -> dict[str, Enterprise]:
    a = make.enterprise("A", country="BO")
    b = make.enterprise("B", country="ID")
    productivity, defects = make.kpi("productivity"), make.kpi("defects", better="lower")
    employment = make.kpi("employment")
    make.observations(a, productivity, "2019-07", "10", "11", "12", "13", "14", "15")
    make.observations(a, productivity, "2020-03", "9")
    make.observations(a, employment, "2019-11", "50", "55")
    make.observations(a, employment, "2020-02", "60")
    make.observations(b, defects, "2020-01", "8", "7", "7", "6", "5", "4")
    make.observations(b, employment, "2020-01", "20")
    derived.refresh()
    return {"A": a, "B": b}


def test_the_kpi_tally_holds_the_points_summed_by_hand(kpis):
    # (series of six months or more at the period's end, of them improved; points
    # dated in the period, latest minus first value of the series inside it).
    # A's productivity: Jul-Dec 2019 10..15, Mar 2020 9 (below its first value).
    # A's employment: Nov 2019 50, Dec 55, Feb 2020 60. B: defects Jan-Jun 2020
    # 8 → 4 (lower is better), employment Jan 2020 20 (one point: no change).
    assert kpi_tally() == {
        ("BO", "productivity", "all", ""): (1, 0, 7, Decimal("-1")),
        ("BO", "productivity", "phase", "I"): (1, 1, 6, Decimal("5")),  # 15 - 10
        ("BO", "productivity", "phase", "II"): (1, 0, 1, Decimal("0")),
        ("BO", "employment", "all", ""): (0, 0, 3, Decimal("10")),
        ("BO", "employment", "phase", "I"): (0, 0, 2, Decimal("5")),
        ("BO", "employment", "phase", "II"): (0, 0, 1, Decimal("0")),  # first in 2019
        ("ID", "defects", "all", ""): (1, 1, 6, Decimal("-4")),
        ("ID", "defects", "phase", "II"): (1, 1, 6, Decimal("-4")),
        ("ID", "employment", "all", ""): (0, 0, 1, Decimal("0")),
        ("ID", "employment", "phase", "II"): (0, 0, 1, Decimal("0")),
    }
    assert kpi_tally() == rebuilt()[0]


KPI_ANSWERS = [
    ("kpi_improved_pct", {}, 50.0),
    ("kpi_improved_pct", {"by": "kpi"}, {"defects": 100.0, "productivity": 0.0}),
    ("kpi_improved_pct", {"by": "country"}, {"BO": 0.0, "ID": 100.0}),
    ("kpi_improved_pct", {"phase": "I"}, 100.0),
    ("kpi_improved_pct", {"phase": "I", "by": "kpi"}, {"productivity": 100.0}),
    ("kpi_improved_pct", {"phase": "II", "country": "ID"}, 100.0),
    ("jobs_created", {}, 10),
    ("jobs_created", {"by": "country"}, {"BO": 10, "ID": 0}),
    ("jobs_created", {"phase": "I"}, 5),
    ("jobs_created", {"phase": "II", "by": "country"}, {"BO": 0, "ID": 0}),
    ("jobs_created", {"phase": "I", "country": "ID"}, 0),
]


@pytest.mark.parametrize(("code", "filters", "expected"), KPI_ANSWERS)
def test_the_kpi_figures_read_the_tally_and_give_the_points_answer(
    kpis, ask: Ask, monkeypatch, code, filters, expected
):
    assert tallies.kpi_rows(Source(ask.user), ask.filters(code, **filters)) is not None
    assert ask(code, **filters) == expected
    monkeypatch.setattr(tallies, "rows", lambda *args: None)  # the points' answer
    assert ask(code, **filters) == expected


def test_a_year_a_range_or_approved_data_only_read_the_rows(kpis, ask: Ask):
    source = Source(ask.user)
    for filters in ({"year": 2019}, {"from": "2019-01-01"}):
        assert tallies.kpi_rows(source, ask.filters("kpi_improved_pct", **filters)) is None
    assert ask("kpi_improved_pct", year=2019) == 100.0  # A's Dec 2019 state
    approved = Source(ask.user, approved_only=True)
    assert tallies.kpi_rows(approved, ask.filters("kpi_improved_pct")) is None
    # Nothing is approved: approved data only counts nothing, tally or not.
    assert ask("kpi_improved_pct", approved_only=True) is None
    assert ask("practice_newly_implemented_pct", approved_only=True) is None


def test_approved_data_only_never_reads_the_practice_tally(phases, make: Make, ask: Ask):
    a = make.enterprise("A")
    make.assessment(a, "baseline", "2019-03-01", P5S=False)
    make.assessment(a, "progress", "2019-09-01", P5S=True)
    assert ask("practice_newly_implemented_pct") == 100.0
    # No period is approved: no answer counts.
    assert ask("practice_newly_implemented_pct", approved_only=True) is None


def test_moves_deletions_and_kpi_changes_keep_the_kpi_tally_exact(kpis, make: Make):
    a, b = kpis["A"], kpis["B"]
    Enterprise.objects.filter(pk=b.pk).update(country=make.country("BO"))
    derived.refresh()
    found = kpi_tally()
    assert ("ID", "defects", "all", "") not in found
    assert found[("BO", "defects", "all", "")] == (1, 1, 6, Decimal("-4"))
    KpiObservation.objects.filter(enterprise=a, month=dt.date(2020, 3, 1)).delete()
    derived.refresh()
    # A's productivity ends in Dec 2019 again: improved, 15 - 10.
    assert kpi_tally()[("BO", "productivity", "all", "")] == (1, 1, 6, Decimal("5"))
    Kpi.objects.filter(code="productivity").update(name="Output per hour")  # not a change
    assert not derived.refresh()
    Kpi.objects.filter(code="productivity").update(better="lower")
    derived.refresh()
    assert kpi_tally()[("BO", "productivity", "all", "")] == (1, 0, 6, Decimal("5"))
    ProgrammePhase.objects.filter(name="I").update(end_date=dt.date(2019, 11, 30))
    derived.refresh()
    found = kpi_tally()
    assert found[("BO", "productivity", "phase", "I")] == (0, 0, 5, Decimal("4"))  # Jul-Nov
    assert found == rebuilt()[0]


# --- the module tally --------------------------------------------------------------


@pytest.fixture
def modules(phases: None, make: Make) -> dict[str, Any]:
    a = make.enterprise("A", country="BO")
    b = make.enterprise("B", country="ID")
    c = make.enterprise("C", country="ID")
    d1 = make.delivery("d1", module="M1", start="2019-03-01", country="BO")
    d2 = make.delivery("d2", module="M2", start="2020-05-01", country="BO")
    d3 = make.delivery("d3", module="M1", start="2019-06-01", country="ID")
    d4 = make.delivery("d4", module="M2", start="2019-08-01", country="ID")
    make.participant(d1, a)
    make.participant(d2, a)
    make.participant(d3, b)
    make.participant(d4, b)
    make.participant(d3, c)
    derived.refresh()
    return {"A": a, "B": b, "C": c, "d4": d4}


def test_the_module_tally_holds_the_attendances_summed_by_hand(modules):
    # (firms trained there in the period, of them with two modules by its end).
    # A: M1 BO 2019, M2 BO 2020. B: M1 ID Jun 2019, M2 ID Aug 2019. C: M1 ID 2019.
    assert module_tally() == {
        ("BO", "all", ""): (1, 1),
        ("ID", "all", ""): (2, 1),
        (None, "all", ""): (3, 2),
        ("BO", "year", "2019"): (1, 0),  # A's second module is of 2020
        ("ID", "year", "2019"): (2, 1),
        (None, "year", "2019"): (3, 1),
        ("BO", "year", "2020"): (1, 1),
        (None, "year", "2020"): (1, 1),
        ("BO", "phase", "I"): (1, 0),
        ("ID", "phase", "I"): (2, 1),
        (None, "phase", "I"): (3, 1),
        ("BO", "phase", "II"): (1, 1),
        (None, "phase", "II"): (1, 1),
    }
    assert module_tally() == rebuilt()[1]


MODULE_ANSWERS = [
    ({}, pytest.approx(200 / 3)),
    ({"by": "country"}, {"BO": 100.0, "ID": 50.0}),
    ({"year": 2019}, pytest.approx(100 / 3)),
    ({"phase": "I", "by": "country"}, {"BO": 0.0, "ID": 50.0}),
    ({"year": 2019, "country": "ID"}, 50.0),
    ({"phase": "II"}, 100.0),
]


@pytest.mark.parametrize(("filters", "expected"), MODULE_ANSWERS)
def test_the_module_figure_reads_the_tally_and_gives_the_attendances_answer(
    modules, ask: Ask, monkeypatch, filters, expected
):
    code = "smes_more_than_one_module_pct"
    assert tallies.module_rows(Source(ask.user), ask.filters(code, **filters), None) is not None
    assert ask(code, **filters) == expected
    monkeypatch.setattr(tallies, "rows", lambda *args: None)  # the attendances' answer
    assert ask(code, **filters) == expected


def test_a_half_or_a_partner_reads_the_attendances(modules, ask: Ask, make: Make):
    code = "smes_more_than_one_module_pct"
    source = Source(ask.user)
    assert tallies.module_rows(source, ask.filters(code, year=2019, half=2), None) is None
    partner = make.org("P1")
    assert tallies.module_rows(source, ask.filters(code, partner=partner.key), None) is None


def test_moves_and_phase_changes_keep_the_module_tally_exact(modules):
    # A queryset update (no rule, no signal): B's M2 delivery moves to BO.
    Delivery.objects.filter(pk=modules["d4"].pk).update(country_id=modules["A"].country_id)
    derived.refresh()
    found = module_tally()
    assert found[("BO", "all", "")] == (2, 2)
    assert found[("ID", "all", "")] == (2, 1)  # B still trained in ID (M1)
    assert found[(None, "all", "")] == (3, 2)  # B once, though trained in two countries
    ProgrammePhase.objects.filter(name="I").update(end_date=dt.date(2019, 6, 30))
    derived.refresh()
    found = module_tally()
    assert found[(None, "phase", "I")] == (3, 0)  # B's M2 (August) is after phase I now
    assert found == rebuilt()[1]


# --- random writes: the kept sums equal the sums rebuilt from the records ----------

FIRMS = ("F1", "F2", "F3")
operations = st.lists(
    st.tuples(
        st.sampled_from(
            (
                *("observe", "observe", "unobserve", "value", "move", "phase", "better"),
                *("attend", "unattend", "delivery", "facts"),
            )
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=3,
    max_size=12,
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(operations, min_size=1, max_size=3))
def test_random_writes_keep_the_tallies_equal_to_their_rebuild(batches: list[Any]) -> None:
    with transaction.atomic():
        make = Make()
        make.phase("I", "2019-01-01", "2020-06-30")
        make.phase("II", "2020-07-01", "2022-12-31")
        firms = [make.enterprise(key, country=("BO", "ID")[i % 2]) for i, key in enumerate(FIRMS)]
        kpis = [make.kpi("employment"), make.kpi("defects", better="lower")]
        deliveries = [
            make.delivery(f"d{i}", module=f"M{i % 3}", start=f"20{19 + i % 3}-0{1 + i}-01")
            for i in range(5)
        ]
        for batch in batches:
            for operation, seed in batch:
                apply(make, firms, kpis, deliveries, operation, random.Random(seed))
            derived.refresh(OUTCOMES, ATTENDANCE)
            kept = (kpi_tally(), module_tally(), series_tally(), attendance_tally())
            assert kept == rebuilt(), batches
        transaction.set_rollback(True)


def apply(
    make: Make,
    firms: list[Enterprise],
    kpis: list[Kpi],
    deliveries: list[Delivery],
    operation: str,
    rng: random.Random,
) -> None:
    firm = rng.choice(firms)
    if operation == "observe":
        kpi = rng.choice(kpis)
        start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        for i in range(rng.randint(1, 8)):
            month = dt.date(
                start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1
            )
            if not KpiObservation.objects.filter(enterprise=firm, kpi=kpi, month=month).exists():
                value = Decimal(rng.randint(1, 100))
                KpiObservation.objects.create(enterprise=firm, kpi=kpi, month=month, value=value)
    elif operation == "unobserve":
        found = list(KpiObservation.objects.filter(enterprise=firm).order_by("pk"))
        if found:
            rng.choice(found).delete()
    elif operation == "value":
        found = list(KpiObservation.objects.filter(enterprise=firm).order_by("pk"))
        if found:
            chosen = rng.choice(found)
            KpiObservation.objects.filter(pk=chosen.pk).update(value=Decimal(rng.randint(1, 100)))
    elif operation == "move":
        Enterprise.objects.filter(pk=firm.pk).update(
            country=make.country(rng.choice(("BO", "ID", "PE")))
        )
    elif operation == "phase":
        end = dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(2 * 365))
        ProgrammePhase.objects.filter(name="I").update(end_date=end)
        ProgrammePhase.objects.filter(name="II").update(start_date=end + dt.timedelta(days=1))
    elif operation == "better":
        kpi = rng.choice(kpis)
        Kpi.objects.filter(pk=kpi.pk).update(better="lower" if kpi.better == "higher" else "higher")
        kpi.refresh_from_db()
    elif operation == "attend":  # (a participant's delivery is of its firm's country)
        firm.refresh_from_db()
        found = [
            d for d in deliveries if Delivery.objects.get(pk=d.pk).country_id == firm.country_id
        ]
        if found:
            make.participant(rng.choice(found), firm)
    elif operation == "unattend":
        found = list(Participant.objects.filter(enterprise=firm).order_by("pk"))
        if found:
            rng.choice(found).delete()
    elif operation == "facts":  # a firm's ownership, union or workforce known or not
        Enterprise.objects.filter(pk=firm.pk).update(
            women_owned=rng.choice((None, True, False)),
            unionised=rng.choice((None, True)),
            workforce_male=rng.choice((None, 0, 7)),
        )
    else:  # a delivery moved (a queryset update: no signal, the trigger sees it)
        delivery = rng.choice(deliveries)
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        Delivery.objects.filter(pk=delivery.pk).update(
            start_date=day, country=make.country(rng.choice(("BO", "ID")))
        )
