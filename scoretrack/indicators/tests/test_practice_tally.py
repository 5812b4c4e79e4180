"""The practice tally (outcomes.PracticeTally): the practice steps summed across
enterprises, kept exact by the derived refresh, and the figures read from it.

A small programme worked out by hand, then random writes, deletions, moves and
phase changes after which the kept sums must equal those rebuilt from nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators import tallies
from scoretrack.indicators.registry import Source
from scoretrack.indicators.tests.conftest import Ask, Make
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import Assessment, OutcomeQueue, PracticeAnswer, PracticeTally
from scoretrack.reference.models import Phase as ProgrammePhase

pytestmark = pytest.mark.django_db

Sums = dict[tuple[str, str | None, str, str], tuple[int, int, int, int]]


def tally() -> Sums:
    """The kept sums by (country, practice or None, kind, period), zero keys left out."""
    rows = PracticeTally.objects.values_list(
        "country__code", "practice__code", "kind", "period_key", "firms", "had", "gained", "pairs"
    )
    found: dict[tuple[str, str | None, str, str], list[int]] = {}
    for country, practice, kind, key, *sums in rows:
        if kind == "phase" and key:
            key = ProgrammePhase.objects.get(pk=key).name
        total = found.setdefault((country, practice, kind, key), [0, 0, 0, 0])
        for i, n in enumerate(sums):
            total[i] += n
    return {key: tuple(sums) for key, sums in found.items() if any(sums)}  # type: ignore[misc]


def rebuilt() -> Sums:
    """The sums made again from the records (what a fresh database would hold)."""
    derived.rebuild_all(OUTCOMES)
    return tally()


@pytest.fixture
def programme(make: Make) -> dict[str, Any]:
    make.phase("I", "2019-01-01", "2020-12-31")
    make.phase("II", "2021-01-01", "2022-12-31")
    a = make.enterprise("A", country="BO")
    b = make.enterprise("B", country="ID")
    make.assessment(a, "baseline", "2019-03-01", P5S=False, PQ=True)
    make.assessment(a, "progress", "2019-09-01", P5S=True, PQ=True)
    make.assessment(a, "progress", "2021-02-01", P5S=False)
    make.assessment(b, "baseline", "2020-01-01", P5S=False)
    make.assessment(b, "progress", "2020-05-01", P5S=True)
    derived.refresh()
    return {"A": a, "B": b}


def test_the_tally_holds_the_steps_summed_by_hand(programme):
    # Steps: A-P5S 2019-09-01 (no→yes, next 2021-02-01), A-PQ 2019-09-01 (yes→yes),
    # A-P5S 2021-02-01 (no→no), B-P5S 2020-05-01 (no→yes).
    # (firms, had, gained, pairs): firms with a step in the period; of the latest
    # steps in it, had at baseline, newly in place, all.
    found = tally()
    assert found[("BO", None, "all", "")] == (1, 1, 0, 2)  # latest: A-PQ, A-P5S 2021
    assert found[("ID", None, "all", "")] == (1, 0, 1, 1)
    assert found[("BO", None, "year", "2019")] == (1, 1, 1, 2)
    assert found[("BO", "P5S", "year", "2019")] == (1, 0, 1, 1)  # next step in 2021
    assert found[("BO", None, "year", "2021")] == (1, 0, 0, 1)
    assert found[("BO", None, "half", "20192")] == (1, 1, 1, 2)
    assert found[("ID", None, "quarter", "20202")] == (1, 0, 1, 1)
    assert found[("BO", None, "phase", "I")] == (1, 1, 1, 2)
    assert found[("ID", "P5S", "phase", "I")] == (1, 0, 1, 1)
    assert found[("BO", "P5S", "phase", "II")] == (1, 0, 0, 1)
    assert ("ID", None, "phase", "II") not in found
    assert found == rebuilt()


def test_the_figures_read_the_tally_and_give_the_steps_answer(programme, ask: Ask, monkeypatch):
    # Phase I: pairs A-P5S (no→yes), A-PQ (yes→yes), B-P5S (no→yes): 2 of 3 new.
    assert ask("practice_newly_implemented_pct", phase="I") == pytest.approx(200 / 3)
    assert ask("practice_in_place_before_pct", phase="I") == pytest.approx(100 / 3)
    assert ask("practice_newly_implemented_pct", phase="I", by="practice") == {
        "P5S": 100.0,
        "PQ": 0.0,
    }
    assert ask("practice_newly_implemented_pct", by="country") == {"BO": 0.0, "ID": 100.0}
    assert ask("practice_newly_implemented_pct", year=2019, country="BO") == 50.0
    # The same questions answered from the steps (the tally set aside).
    monkeypatch.setattr(tallies, "rows", lambda *args: None)
    assert ask("practice_newly_implemented_pct", phase="I") == pytest.approx(200 / 3)
    assert ask("practice_newly_implemented_pct", by="country") == {"BO": 0.0, "ID": 100.0}
    assert ask("practice_newly_implemented_pct", year=2019, country="BO") == 50.0


def test_a_date_range_or_a_narrower_scope_reads_the_steps(programme, ask: Ask, make: Make):
    source = Source(ask.user)
    ranged = ask.filters("practice_newly_implemented_pct", **{"from": "2019-01-01"})
    assert tallies.figure_rows(source, ranged, None) is None
    phase = ask.filters("practice_newly_implemented_pct", phase="I")
    assert tallies.figure_rows(source, phase, None) is not None
    buyer = User.objects.create_user(email="lb@example.org", password="pw-lb-123456")
    RoleAssignment.objects.create(
        user=buyer, role="lead_buyer", organisation=make.org("LB", type="lead_buyer")
    )
    assert tallies.figure_rows(Source(buyer), phase, None) is None


def test_moves_deletions_and_phase_changes_keep_the_tally_exact(programme, make: Make):
    a, b = programme["A"], programme["B"]
    Enterprise.objects.filter(pk=a.pk).update(name="Renamed")  # not a move: nothing queued
    assert not OutcomeQueue.objects.exists()
    # A queryset update sends no signal: the trigger on the enterprise queues it.
    Enterprise.objects.filter(pk=b.pk).update(country=make.country("BO"))
    derived.refresh()
    found = tally()
    assert ("ID", None, "all", "") not in found
    assert found[("BO", None, "all", "")] == (2, 1, 1, 3)
    Assessment.objects.filter(enterprise=a, date=dt.date(2021, 2, 1)).delete()
    derived.refresh()
    # A-P5S 2019 is now the latest: no→yes.
    assert tally()[("BO", None, "all", "")] == (2, 1, 2, 3)
    ProgrammePhase.objects.filter(name="I").update(end_date=dt.date(2019, 12, 31))
    derived.refresh()
    found = tally()
    assert found[("BO", None, "phase", "I")] == (1, 1, 1, 2)  # B's 2020 step left phase I
    assert found[("BO", None, "phase", "")] == (1, 0, 1, 1)  # in no phase: B
    assert found == rebuilt()


# --- random writes: the kept sums equal the sums rebuilt from the records ----------

FIRMS = ("F1", "F2", "F3", "F4")
PRACTICES = ("P5S", "PQ", "PW")
operations = st.lists(
    st.tuples(
        st.sampled_from(("assess", "assess", "delete", "answer", "move", "phase", "raw")),
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
def test_random_writes_keep_the_tally_equal_to_its_rebuild(batches: list[Any]) -> None:
    with transaction.atomic():
        make = Make()
        make.phase("I", "2019-01-01", "2020-06-30")
        make.phase("II", "2020-07-01", "2022-12-31")
        firms = [make.enterprise(key, country=("BO", "ID")[i % 2]) for i, key in enumerate(FIRMS)]
        for batch in batches:
            for operation, seed in batch:
                apply(make, firms, operation, random.Random(seed))
            derived.refresh()
            kept = tally()
            assert kept == rebuilt(), batches
        transaction.set_rollback(True)


def apply(make: Make, firms: list[Enterprise], operation: str, rng: random.Random) -> None:
    firm = rng.choice(firms)
    if operation == "assess":
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        answers = {p: rng.random() < 0.5 for p in rng.sample(PRACTICES, rng.randint(1, 3))}
        kind = rng.choice(("baseline", "progress", "progress"))
        if not Assessment.objects.filter(enterprise=firm, kind=kind, date=day).exists():
            make.assessment(firm, kind, str(day), **answers)
    elif operation == "delete":
        found = list(Assessment.objects.filter(enterprise=firm).order_by("date", "pk"))
        if found:
            rng.choice(found).delete()
    elif operation == "answer":
        found = list(PracticeAnswer.objects.filter(assessment__enterprise=firm).order_by("pk"))
        if found:
            answer = rng.choice(found)
            PracticeAnswer.objects.filter(pk=answer.pk).update(in_place=not answer.in_place)
    elif operation == "move":
        Enterprise.objects.filter(pk=firm.pk).update(
            country=make.country(rng.choice(("BO", "ID", "PE")))
        )
    elif operation == "phase":
        end = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(365))
        ProgrammePhase.objects.filter(name="I").update(end_date=end)
        ProgrammePhase.objects.filter(name="II").update(start_date=end + dt.timedelta(days=1))
    else:  # a write no signal sees (a queryset update, as an import's bulk writes)
        found = list(Assessment.objects.filter(enterprise=firm).order_by("pk"))
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        if found and not Assessment.objects.filter(enterprise=firm, date=day).exists():
            Assessment.objects.filter(pk=found[0].pk).update(date=day)
