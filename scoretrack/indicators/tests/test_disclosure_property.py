"""Issue 17: small-number protection that holds against differencing, on random data.

Hypothesis makes small programmes (2 countries, 2 partners, 2 sectors, a lead buyer,
1-12 enterprises, 1-10 deliveries in 2015-2016, random participants, a few
trainers certified on random dates), then a viewer asks a fixed set of questions
through `registry.evaluate`: every period (all time, each year, half and quarter),
everywhere / each country / each partner, with no `by`, `by=country` and `by=sex`.
The answers are checked against guarantees 1-3 of the specification, with the
contributors of every cell computed here, in Python, from the generated records
(never from the code under test).

Words (threshold T = settings.DISCLOSURE_THRESHOLD):
- a *cell* is (indicator, period, country, partner, and for `by=sex` one sex). A
  group of `by=country` is the cell with that country filter, so one cell may be
  answered by several questions; it is *shown* when any answer gives a number.
  Partner PB is Bolivia's, so `partner=PB` is the cell `country=BO&partner=PB`
  (PA is global: `partner=PA` spans both countries).
- the *records* of a cell: for the SME figures the participants of deliveries
  starting in the period, of the delivery's country and organiser (staff_trained by
  sex: participants of that sex; workforce_represented: each participant stands for
  its firm's women and its firm's men, and a sex group keeps one of the two); for
  trainers_certified the trainers' certified milestones dated in the period, of the
  trainer's country and organisation (by sex: trainers of that sex).
- the *contributors* of some records: their distinct enterprises (trainers).

Guarantees:
1. A shown value rests on 0 or at least T contributors.
2. Pairs: for cells A inside B (a coarser period; one place filter dropped; the
   total of a group) both shown, the records of B not in A have 0 or >= T contributors.
3. Sums: for a breakdown (by country, by sex) or a partition of a period (all time
   into years, a year into halves or quarters, a half into quarters) whose total is
   shown, the records of all its hidden parts together have 0 or >= T contributors.
Guarantee 2 counts the firms of the *records* in B and not in A: a firm counted in
both cells with more rows in B (a second participation) is such a contributor; for
distinct counts (smes_trained) the two values are then equal, for staff_trained not.
The examples draw T from 5 (the default) and 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import Request, evaluate
from scoretrack.indicators.tests.conftest import Make

COUNTRIES = ("BO", "PE")
# PA is a global partner (it organises in both countries), PB Bolivia's.
PARTNERS = ("PA", "PB")
PARTNER_COUNTRY = {"PA": None, "PB": "BO"}
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = 731  # 2015 and 2016
SME_CODES = ("smes_trained", "staff_trained", "workforce_represented", "smes_women_owned_pct")
TRAINER_CODE = "trainers_certified"
CODES = (*SME_CODES, TRAINER_CODE)
# The codes asked with each `by` (those that take it).
ASKED = {
    None: CODES,
    "country": CODES,
    "sex": ("staff_trained", "workforce_represented", TRAINER_CODE),
}
BOTH_HALVES = ("female", "male")  # workforce_represented's records per firm


# --- the generated programme -------------------------------------------------------


@dataclass(frozen=True)
class Firm:
    key: str
    country: str
    sector: str
    supplies: bool  # to the lead buyer
    women: int | None
    men: int | None
    women_owned: bool | None


@dataclass(frozen=True)
class Training:
    key: str
    start: dt.date
    country: str
    organiser: str | None


@dataclass(frozen=True)
class Person:
    """A participant: the record the SME figures count."""

    id: int
    training: Training
    firm: Firm
    sex: str
    role: str


@dataclass(frozen=True)
class Certified:
    """A certified milestone: the record trainers_certified counts."""

    id: int
    trainer: str
    sex: str
    country: str
    organisation: str | None
    date: dt.date


@dataclass
class Programme:
    firms: list[Firm]
    trainings: list[Training]
    people: list[Person]
    certified: list[Certified]

    def __str__(self) -> str:
        lines = [f"firm {f}" for f in self.firms]
        lines += [
            f"participant {p.id}: {p.firm.key} in {p.training.key} {p.training.start}"
            f" {p.training.country} by {p.training.organiser} ({p.sex})"
            for p in self.people
        ]
        lines += [f"certified {c}" for c in self.certified]
        return "\n".join(lines)


dates = st.integers(0, DAYS - 1).map(lambda n: FIRST_DAY + dt.timedelta(days=n))
sexes = st.sampled_from(("female", "male", "undisclosed"))


@st.composite
def programmes(draw: Any) -> Programme:
    firms = [
        Firm(
            key=f"E{i}",
            country=draw(st.sampled_from(COUNTRIES)),
            sector=draw(st.sampled_from(("Food", "Textiles"))),
            supplies=draw(st.booleans()),
            women=draw(st.none() | st.integers(0, 60)),
            men=draw(st.none() | st.integers(0, 60)),
            women_owned=draw(st.none() | st.booleans()),
        )
        # Biased to the larger sizes, so that some cells reach the threshold.
        for i in range(draw(st.integers(1, 12) | st.integers(8, 12)))
    ]
    trainings = []
    for i in range(draw(st.integers(1, 10))):
        country = draw(st.sampled_from(COUNTRIES))
        organiser = draw(st.sampled_from((None, *PARTNERS)))
        if organiser and PARTNER_COUNTRY[organiser] not in (None, country):
            organiser = None  # PB organises in Bolivia only
        trainings.append(Training(f"D{i}", draw(dates), country, organiser))
    people = []
    for training in trainings:
        # Firms attend deliveries of their own country, so that a firm's country (the
        # key of workforce_represented by country) is its delivery's.
        local = [firm for firm in firms if firm.country == training.country]
        if not local:
            continue
        for firm in draw(st.lists(st.sampled_from(local), max_size=8)):
            people.append(
                Person(
                    len(people),
                    training,
                    firm,
                    draw(sexes),
                    draw(st.sampled_from(("worker", "manager"))),
                )
            )
    certified = []
    for i in range(draw(st.integers(0, 10))):
        country = draw(st.sampled_from(COUNTRIES))
        organisation = draw(st.sampled_from((None, *PARTNERS)))
        if organisation and PARTNER_COUNTRY[organisation] not in (None, country):
            organisation = None
        sex = draw(st.sampled_from(("female", "male")))
        for when in draw(st.lists(dates, min_size=1, max_size=2, unique=True)):
            certified.append(Certified(len(certified), f"T{i}", sex, country, organisation, when))
    return Programme(firms, trainings, people, certified)


def build(programme: Programme) -> User:
    """The programme's records in the database, and a viewer."""
    make = Make()
    for code in COUNTRIES:
        make.country(code)
    partners = {"PA": make.org("PA", country=None), "PB": make.org("PB", country="BO")}
    buyer = make.org("LB", type="lead_buyer", country=None)
    firms = {
        firm.key: make.enterprise(
            firm.key,
            country=firm.country,
            sector=firm.sector,
            buyers=(buyer,) if firm.supplies else (),
            workforce_female=firm.women,
            workforce_male=firm.men,
            women_owned=firm.women_owned,
        )
        for firm in programme.firms
    }
    deliveries = {
        t.key: make.delivery(
            t.key,
            start=t.start.isoformat(),
            country=t.country,
            organiser=partners[t.organiser] if t.organiser else None,
        )
        for t in programme.trainings
    }
    for person in programme.people:
        make.participant(
            deliveries[person.training.key], firms[person.firm.key], person.sex, person.role
        )
    trainers: dict[str, Any] = {}
    for c in programme.certified:
        if c.trainer not in trainers:
            trainers[c.trainer] = make.trainer(
                c.trainer,
                c.sex,
                country=c.country,
                organisation=partners[c.organisation] if c.organisation else None,
            )
        make.milestone(trainers[c.trainer], "certified", c.date.isoformat())
    viewer = User.objects.create_user(email="donor@example.org", password="pw-123456-x")
    RoleAssignment.objects.create(user=viewer, role="viewer")
    return viewer


# --- periods and cells ---------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    name: str
    params: tuple[tuple[str, int], ...]
    start: dt.date
    end: dt.date

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _period(name: str, start: dt.date, end: dt.date, **params: int) -> Period:
    return Period(name, tuple(params.items()), start, end)


ALL_TIME = _period("all time", dt.date.min, dt.date.max)
YEARS = {y: _period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31), year=y) for y in (2015, 2016)}
HALVES = {
    (y, h): _period(
        f"{y} H{h}", dt.date(y, 6 * h - 5, 1), dt.date(y, 6, 30) if h == 1 else dt.date(y, 12, 31),
        year=y, half=h,
    )
    for y in YEARS
    for h in (1, 2)
}  # fmt: skip
QUARTERS = {
    (y, q): _period(
        f"{y} Q{q}",
        dt.date(y, 3 * q - 2, 1),
        (dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)) - dt.timedelta(days=1),
        year=y,
        quarter=q,
    )
    for y in YEARS
    for q in (1, 2, 3, 4)
}
PERIODS = [ALL_TIME, *YEARS.values(), *HALVES.values(), *QUARTERS.values()]
# Each period's coarser periods (guarantee 2) and its partitions (guarantee 3).
COARSER: dict[Period, list[Period]] = {ALL_TIME: []}
PARTITIONS: dict[Period, list[list[Period]]] = {ALL_TIME: [list(YEARS.values())]}
for y, year in YEARS.items():
    COARSER[year] = [ALL_TIME]
    PARTITIONS[year] = [[HALVES[y, 1], HALVES[y, 2]], [QUARTERS[y, q] for q in (1, 2, 3, 4)]]
    for h in (1, 2):
        COARSER[HALVES[y, h]] = [year, ALL_TIME]
        PARTITIONS[HALVES[y, h]] = [[QUARTERS[y, 2 * h - 1], QUARTERS[y, 2 * h]]]
    for q in (1, 2, 3, 4):
        COARSER[QUARTERS[y, q]] = [HALVES[y, (q + 1) // 2], year, ALL_TIME]
# The place filters asked: none, each country, each partner.
PLACES: list[dict[str, str]] = [{}, *({"country": c} for c in COUNTRIES)]
PLACES += [{"partner": p} for p in PARTNERS]


@dataclass(frozen=True)
class Cell:
    code: str
    period: Period
    country: str | None = None
    partner: str | None = None
    sex: str | None = None

    @classmethod
    def of(cls, code: str, period: Period, country: Any, partner: Any, sex: Any = None) -> Cell:
        # A partner of one country is inside that country: the same cell.
        country = country or (PARTNER_COUNTRY[partner] if partner else None)
        return cls(code, period, country, partner, sex)

    def __str__(self) -> str:
        where = [f"country={self.country}"] if self.country else []
        where += [f"partner={self.partner}"] if self.partner else []
        where += [f"sex={self.sex}"] if self.sex else []
        return f"{self.code} [{self.period.name}{''.join(', ' + w for w in where)}]"

    def replace(self, **changes: Any) -> Cell:
        fields = {
            "code": self.code,
            "period": self.period,
            "country": self.country,
            "partner": self.partner,
            "sex": self.sex,
        }
        return Cell.of(**(fields | changes))


def records(programme: Programme, cell: Cell) -> set[tuple[Any, ...]]:
    """The records counted in `cell`, each as (contributor, record id...)."""
    if cell.code == TRAINER_CODE:
        return {
            (c.trainer, c.id)
            for c in programme.certified
            if cell.period.holds(c.date)
            and cell.country in (None, c.country)
            and cell.partner in (None, c.organisation)
            and cell.sex in (None, c.sex)
        }
    found = set()
    for p in programme.people:
        t = p.training
        if not (
            cell.period.holds(t.start)
            and cell.country in (None, t.country)
            and cell.partner in (None, t.organiser)
        ):
            continue
        if cell.code == "workforce_represented":
            found |= {(p.firm.key, p.id, half) for half in BOTH_HALVES if cell.sex in (None, half)}
        elif cell.code == "staff_trained":
            if cell.sex in (None, p.sex):
                found.add((p.firm.key, p.id))
        elif cell.code == "smes_women_owned_pct":
            # The share's firms are those whose ownership is recorded: one with none is
            # left out of the denominator (INDICATORS.md) and changes nothing it shows.
            if p.firm.women_owned is not None:
                found.add((p.firm.key, p.id))
        else:
            found.add((p.firm.key, p.id))
    return found


def contributors(rows: set[tuple[Any, ...]]) -> list[str]:
    return sorted({row[0] for row in rows})


# --- asking ----------------------------------------------------------------------------


def ask_everything(viewer: User) -> dict[Cell, list[Any]]:
    """Every value the viewer is given, per cell (a cell may be answered several times)."""
    answers: dict[Cell, list[Any]] = {}
    for period in PERIODS:
        for place in PLACES:
            for by, codes in ASKED.items():
                if (
                    by == "country"
                    and Cell.of("", period, place.get("country"), place.get("partner")).country
                ):
                    continue  # one group, the cell asked without `by`
                request = Request(codes=list(codes), by=by, **dict(period.params), **place)
                values = evaluate(viewer, request)["values"]
                for code, value in values.items():
                    for cell, figure in cells_of(code, period, place, by, value):
                        answers.setdefault(cell, []).append(figure)
    return answers


def cells_of(
    code: str, period: Period, place: dict[str, str], by: str | None, value: Any
) -> Iterator[tuple[Cell, Any]]:
    country, partner = place.get("country"), place.get("partner")
    if by is None:
        yield Cell.of(code, period, country, partner), value
    elif by == "country":
        for group, figure in value.items():
            yield Cell.of(code, period, group, partner), figure
    else:
        for group, figure in value.items():
            yield Cell.of(code, period, country, partner, group), figure


# --- the guarantees --------------------------------------------------------------------


class Checker:
    def __init__(self, programme: Programme, answers: dict[Cell, list[Any]]) -> None:
        self.programme = programme
        self.answers = answers
        self.threshold = django_settings.DISCLOSURE_THRESHOLD
        self.problems: list[str] = []
        # The sex groups answered for each total.
        self.sexes: dict[Cell, set[str]] = {}
        for cell in answers:
            if cell.sex is not None:
                self.sexes.setdefault(cell.replace(sex=None), set()).add(cell.sex)

    def shown(self, cell: Cell) -> Any:
        """The cell's number when some answer shows it, else None."""
        return next((v for v in self.answers.get(cell, []) if v is not None), None)

    def safe(self, who: list[str]) -> bool:
        return not who or len(who) >= self.threshold

    def check(self) -> list[str]:
        for cell in self.answers:
            self.consistent(cell)
            if self.shown(cell) is None:
                continue
            self.few(cell)
            for bigger in self.bigger_cells(cell):
                self.pair(cell, bigger)
            for parts, what in self.partitions(cell):
                self.sums(cell, parts, what)
        return self.problems

    def consistent(self, cell: Cell) -> None:
        """Not a guarantee: a check of this test's model of the cells, which must
        give one number to every answer showing one cell."""
        numbers = {repr(v) for v in self.answers[cell] if v is not None}
        if len(numbers) > 1:
            self.problems.append(f"model: {cell} answered {sorted(numbers)}")

    def few(self, cell: Cell) -> None:
        """Guarantee 1."""
        who = contributors(records(self.programme, cell))
        if not self.safe(who):
            self.problems.append(
                f"guarantee 1: {cell} shows {self.shown(cell)!r} over {len(who)} contributors {who}"
            )

    def bigger_cells(self, cell: Cell) -> Iterator[Cell]:
        """The asked cells one step coarser: a coarser period, one place filter
        dropped, the total of a sex group."""
        for period in COARSER[cell.period]:
            yield cell.replace(period=period)
        if cell.partner is not None:
            yield cell.replace(partner=None)
            if PARTNER_COUNTRY[cell.partner] is None and cell.country is not None:
                yield cell.replace(country=None)
        elif cell.country is not None:
            yield cell.replace(country=None)
        if cell.sex is not None:
            yield cell.replace(sex=None)

    def pair(self, small: Cell, big: Cell) -> None:
        """Guarantee 2."""
        if self.shown(big) is None:
            return
        difference = records(self.programme, big) - records(self.programme, small)
        who = contributors(difference)
        if not self.safe(who):
            # Contributors of the difference that are also contributors of `small`
            # leave a distinct count unchanged, not a count of records (staff_trained).
            also = sorted(set(who) & set(contributors(records(self.programme, small))))
            self.problems.append(
                f"guarantee 2: {small} = {self.shown(small)!r} inside {big} ="
                f" {self.shown(big)!r}: the difference rests on {len(who)} contributors {who}"
                f" ({also or 'none'} also in the smaller cell)"
            )

    def partitions(self, total: Cell) -> Iterator[tuple[list[Cell], str]]:
        """The breakdowns and period partitions of `total` that the viewer asked."""
        if total.sex is None and total.code in ASKED["sex"]:
            sexes = sorted(self.sexes.get(total, ()))
            yield [total.replace(sex=s) for s in sexes], "by sex"
        if total.country is None:
            yield [total.replace(country=c) for c in COUNTRIES], "by country"
        for periods in PARTITIONS.get(total.period, []):
            yield [total.replace(period=p) for p in periods], "into periods"

    def sums(self, total: Cell, parts: list[Cell], what: str) -> None:
        """Guarantee 3: what the shown total less its shown parts leaves."""
        hidden = [part for part in parts if self.shown(part) is None]
        rows = set().union(*(records(self.programme, part) for part in hidden))
        who = contributors(rows)
        if not self.safe(who):
            self.problems.append(
                f"guarantee 3: {total} = {self.shown(total)!r} {what}; its hidden parts"
                f" {[str(p) for p in hidden]} rest on {len(who)} contributors {who}"
            )


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    # Each example asks about 200 questions (3-6 s): 10 examples keep the file near a
    # minute. No shrinking, for the same reason; a failure's message prints the whole
    # (small) programme anyway.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(programme=programmes(), threshold=st.sampled_from((5, 3)))
def test_a_viewer_cannot_single_out_a_firm_or_a_trainer(
    programme: Programme, threshold: int
) -> None:
    """The default threshold (5), and 3: with at most 12 firms a lower threshold
    shows more cells, and so puts more pairs and sums to the test."""
    # One transaction per example, rolled back: each starts from an empty database.
    with transaction.atomic(), override_settings(DISCLOSURE_THRESHOLD=threshold):
        viewer = build(programme)
        answers = ask_everything(viewer)
        problems = Checker(programme, answers).check()
        transaction.set_rollback(True)
    summary = f"{len(problems)} problems with threshold {threshold}, the first:"
    assert not problems, "\n".join([summary, *problems[:20], "", "the programme:", str(programme)])
