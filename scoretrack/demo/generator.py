"""Synthetic programme data shaped like the SCORE Phase II report (seeds/003).

One generator serves `scoretrack demo` (the report's nine country programmes,
1,319 SMEs over phases I and II, figure 6) and `scoretrack generate` (the same
shapes at any scale), on the catalogue of `demo/catalogue.py`. The builders are
pure: they take a `random.Random` and the loaded catalogue and return unsaved
model instances whose ids come from a seeded counter, so a seed fixes every id,
key and value. `write_rows` inserts them in batches (`lib.bulk.insert`, the
import's bulk inserter); nothing here calls `save()`, so no per-row history is
written.

Shapes (what the tests hold): every enterprise takes Module 1 first, in a
delivery of 4-5 enterprises with about four participants each; some go on to
further modules; every money row carries its USD value at the rate of its year.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.base import ModelState

from scoretrack.demo.catalogue import (
    COUNTRIES,
    COUNTRY_BY_CODE,
    PHASES,
    Catalogue,
    CountrySpec,
    D,
    KpiSpec,
    catalogue_id,
    load_catalogues,
    rate_for,
)
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.events.models import Event, EventParticipation
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.lib import bulk, derived
from scoretrack.outcomes.models import (
    Assessment,
    Initiative,
    KpiObservation,
    PracticeAnswer,
    WorkerSurveyAnswer,
)
from scoretrack.reference.models import (
    Agreement,
    Cluster,
    CountryProgramme,
    Organisation,
    Region,
    Sector,
)
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant

GLOBAL_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("SECO", "Swiss State Secretariat for Economic Affairs", "donor"),
    ("NORAD", "Norwegian Agency for Development Cooperation", "donor"),
)
# Fictional multinationals: the demo must not claim that a real brand sponsored anyone.
LEAD_BUYERS: tuple[str, ...] = (
    "Northwind Apparel", "Contoso Motors", "Fabrikam Furniture", "Woodgrove Foods",
    "Litware Electronics", "Adatum Footwear", "Proseware Components", "Tailspin Hotels",
)  # fmt: skip

# Figure 9: constituents trained in Phase II, by group: (participants, % women).
CONSTITUENT_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("government", 389, 36),
    ("employers", 154, 42),
    ("trade_unions", 263, 50),
    ("other", 103, 35),
)

INITIATIVE_TITLES: dict[str, tuple[str, ...]] = {
    "M1": ("Introduce 5S in the workshop", "Daily start-of-shift meeting",
           "Suggestion box with monthly review", "Notice board for production targets",
           "Separate changing rooms for women and men", "Women nominated to the EIT",
           "Anti-harassment policy and focal point"),
    "M2": ("Quality checkpoints on the line", "Defect tracking sheet",
           "Root-cause analysis of rework", "Supplier quality agreement"),
    "M3": ("Fix compressed-air leaks", "Switch to LED lighting", "Recycle offcuts",
           "Water meter per process"),
    "M4": ("Written job descriptions", "Skills matrix and training plan",
           "Transparent wage scale for women and men", "Family responsibility leave policy"),
    "M5": ("Machine guarding", "OSH committee with worker members", "First-aid training",
           "Personal protective equipment issued and used", "Lactation room"),
}  # fmt: skip
GENDER_TITLES = frozenset(
    {
        "Separate changing rooms for women and men",
        "Women nominated to the EIT",
        "Anti-harassment policy and focal point",
        "Transparent wage scale for women and men",
        "Family responsibility leave policy",
        "Lactation room",
    }
)
SURVEY_QUESTIONS = ("communication", "safety", "suggestions_heard", "job_satisfaction")

# Insert order: every model after the models it refers to.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    Organisation,
    Agreement,
    Region,
    Sector,
    Cluster,
    Trainer,
    Milestone,
    Enterprise,
    LeadBuyerLink,
    Delivery,
    Delivery.trainers.through,
    Enrolment,
    Participant,
    ConsultingVisit,
    DirectCost,
    Contribution,
    Assessment,
    PracticeAnswer,
    KpiObservation,
    Initiative,
    WorkerSurveyAnswer,
    Event,
    EventParticipation,
)

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


class IdMaker:
    """Sequential UUIDs under a seeded 64-bit run prefix.

    Deterministic for a seed, and sequential so that bulk inserts append to the
    primary-key index instead of scattering over it.
    """

    def __init__(self, rng: random.Random) -> None:
        self.prefix = rng.getrandbits(64) << 64
        self.counter = 0

    def __call__(self) -> uuid.UUID:
        self.counter += 1
        return uuid.UUID(int=self.prefix | self.counter, version=4)


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def days_after(day: dt.date, low: int, high: int, rng: random.Random) -> dt.date:
    return day + dt.timedelta(days=rng.randint(low, high))


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def month_start(day: dt.date, plus: int = 0) -> dt.date:
    months = day.year * 12 + day.month - 1 + plus
    return D(months // 12, months % 12 + 1, 1)


def representable(n: int) -> bool:
    """Whether n enterprises can be split into deliveries of four or five."""
    return n == 0 or (n >= 4 and n not in (6, 7, 11))


def split_groups(n: int, rng: random.Random) -> list[int]:
    """Delivery sizes of 4 or 5 summing to n (one smaller group only if n cannot be split)."""
    sizes: list[int] = []
    while n > 0:
        choices = [s for s in (4, 5) if s <= n and representable(n - s)]
        # No choice when n is 1, 2, 3, 6, 7 or 11: the remainder cannot be split evenly.
        size = rng.choice(choices) if choices else min(n, 5)
        sizes.append(size)
        n -= size
    return sizes


_DEFAULTS: dict[type[models.Model], dict[str, Any]] = {}


def new(model: type[models.Model], **values: Any) -> Any:
    """An unsaved instance from attribute values (`country_id`, not `country`).

    Model.__init__ was 40% of a large run's CPU; the builders set every value
    themselves, so the instance only needs the field defaults and a fresh state.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        _DEFAULTS[model] = defaults
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def chance(rng: random.Random, pct: float) -> bool:
    return rng.random() * 100 < pct


# --------------------------------------------------------------------------
# Rows of one run, grouped by model
# --------------------------------------------------------------------------


@dataclass
class Rows:
    by_model: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def add(self, obj: models.Model) -> None:
        self.by_model.setdefault(type(obj), []).append(obj)

    def extend(self, objs: Iterable[models.Model]) -> None:
        for obj in objs:
            self.add(obj)

    def count(self) -> int:
        return sum(len(objs) for objs in self.by_model.values())

    def ordered(self) -> Iterator[tuple[type[models.Model], list[models.Model]]]:
        for model in MODEL_ORDER:
            if self.by_model.get(model):
                yield model, self.by_model[model]


@dataclass
class Window:
    """The dates a cohort of enterprises takes its first module in."""

    phase: str
    start: dt.date
    end: dt.date


@dataclass
class TrainerPool:
    """Trainers of one country sorted by the date they were trained."""

    dates: list[dt.date] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)

    def pick(self, rng: random.Random, on: dt.date, k: int) -> list[uuid.UUID]:
        available = max(bisect.bisect_right(self.dates, on), min(k, len(self.ids)))
        return [self.ids[i] for i in rng.sample(range(available), min(k, available))]


@dataclass
class CountryFrame:
    """What the enterprises of one country refer to: partners, places, trainers."""

    spec: CountrySpec
    country: CountryProgramme
    prefix: str
    organisers: list[uuid.UUID]
    public_bodies: list[uuid.UUID]
    donors: list[uuid.UUID]
    lead_buyers: list[uuid.UUID]
    regions: list[uuid.UUID]
    sectors: list[uuid.UUID]
    clusters: list[tuple[uuid.UUID, uuid.UUID]]  # cluster, its sector
    trainers: TrainerPool


# --------------------------------------------------------------------------
# Country frame: organisations, agreements, places, trainers, events
# --------------------------------------------------------------------------


CLUSTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "CN": (("Chongqing machinery", "Machinery"),),
    "IN": (("Pune auto components", "Automotive components"),),
    "VN": (("Binh Duong furniture", "Wooden furniture"),),
    "CO": (("Bogota flower growers", "Floriculture"),),
    "PE": (("Ucayali wood", "Manufacturing"),),
}
ORGANISER_TYPES = frozenset(
    {
        "government_training",
        "employer_organisation",
        "industry_association",
        "private_training",
        "ngo_academic",
        "government_agency",
    }
)


def prepare_frame(catalogue: Catalogue, spec: CountrySpec, prefix: str) -> CountryFrame:
    """Get or create the country's places and partners: shared by every run, like a catalogue."""
    country = catalogue.countries[spec.code]
    partners = [_partner(country, key, name, kind) for key, name, kind in spec.partners]
    partners.append(
        _partner(country, "TU", f"National trade union confederation ({spec.name})", "trade_union")
    )
    donors = [_global_organisation(key, name, kind).id for key, name, kind in GLOBAL_ORGANISATIONS]
    buyers = [
        _global_organisation(f"LB-{index:02d}", name, "lead_buyer").id
        for index, name in enumerate(LEAD_BUYERS, start=1)
    ]
    sectors = {name: _sector(name) for name in spec.sectors}
    clusters = []
    for name, sector_name in CLUSTERS.get(spec.code, ()):
        sector = sectors.get(sector_name) or _sector(sector_name)
        clusters.append((_cluster(country, name, sector), sector))
    regions = [
        Region.objects.get_or_create(
            country=country,
            name=name,
            defaults={"id": catalogue_id("region", f"{spec.code}:{name}")},
        )[0].id
        for name in spec.regions
    ]
    return CountryFrame(
        spec=spec,
        country=country,
        prefix=prefix,
        organisers=[org.id for org in partners if org.type in ORGANISER_TYPES],
        public_bodies=[org.id for org in partners if org.type.startswith("government")],
        donors=donors,
        lead_buyers=buyers,
        regions=regions,
        sectors=list(sectors.values()),
        clusters=clusters,
        trainers=TrainerPool(),
    )


def _partner(country: CountryProgramme, key: str, name: str, kind: str) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        country=country,
        key=key,
        defaults={
            "id": catalogue_id("organisation", f"{country.code}:{key}"),
            "name": name,
            "type": kind,
        },
    )
    if created:
        # Seeded by the organisation, not the run: whichever run creates it, it is the same.
        rng = random.Random(f"agreement:{country.code}:{key}")
        signed = random_day(rng, country.start_date, country.start_date + dt.timedelta(days=1500))
        ended = days_after(signed, 700, 2500, rng) if chance(rng, 20) else None
        kinds = ("mou", "mou", "mou", "technical_collaboration", "co_finance")
        Agreement.objects.create(
            id=catalogue_id("agreement", f"{country.code}:{key}"),
            organisation=org,
            country=country,
            kind=rng.choice(kinds),
            signed_on=signed,
            ended_on=ended,
        )
    return org


def _global_organisation(key: str, name: str, kind: str) -> Organisation:
    return Organisation.objects.get_or_create(
        country=None,
        key=key,
        defaults={"id": catalogue_id("organisation", key), "name": name, "type": kind},
    )[0]


def _sector(name: str) -> uuid.UUID:
    return Sector.objects.get_or_create(name=name, defaults={"id": catalogue_id("sector", name)})[
        0
    ].id


def _cluster(country: CountryProgramme, name: str, sector: uuid.UUID) -> uuid.UUID:
    return Cluster.objects.get_or_create(
        country=country,
        name=name,
        defaults={"id": catalogue_id("cluster", f"{country.code}:{name}"), "sector_id": sector},
    )[0].id


def independence_for(rng: random.Random, phase: str) -> str:
    """Phase I: mostly the programme; Phase II on: 82% with medium or high independence."""
    weights = {"I": (70, 25, 5), "II": (18, 50, 32)}.get(phase, (5, 35, 60))
    return rng.choices(("programme", "supported", "independent"), weights=weights)[0]


def build_trainers(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    windows: list[tuple[dt.date, dt.date, int, int]],
) -> Iterator[Trainer | Milestone]:
    """Trainers trained in each window (start, end, count, certified); some certified later."""
    spec = frame.spec
    number = len(frame.trainers.ids)
    for start, end, count, certified in windows:
        share = certified / count if count else 0.0
        for _ in range(count):
            number += 1
            trained = random_day(rng, start, end)
            trainer = new(
                Trainer,
                id=new_id(),
                key=f"{frame.prefix}{spec.code}-T{number:05d}",
                name=f"Trainer {spec.code}-{number:05d}",
                sex="female" if chance(rng, spec.trainers_women_pct) else "male",
                country_id=frame.country.id,
                organisation_id=rng.choice(frame.organisers) if chance(rng, 70) else None,
            )
            frame.trainers.dates.append(trained)
            frame.trainers.ids.append(trainer.id)
            yield trainer
            yield from _milestones(rng, new_id, trainer, trained, end, share)
    order = sorted(range(len(frame.trainers.ids)), key=lambda i: frame.trainers.dates[i])
    frame.trainers.dates = [frame.trainers.dates[i] for i in order]
    frame.trainers.ids = [frame.trainers.ids[i] for i in order]


def _milestones(
    rng: random.Random,
    new_id: IdMaker,
    trainer: Trainer,
    trained: dt.date,
    window_end: dt.date,
    certified_share: float,
) -> Iterator[Milestone]:
    yield new(Milestone, id=new_id(), trainer_id=trainer.id, milestone="trained", date=trained)
    last = trained
    if rng.random() < certified_share:
        certified = min(days_after(trained, 120, 540, rng), max(window_end, trained))
        if certified > trained:
            last = certified
            yield new(
                Milestone, id=new_id(), trainer_id=trainer.id, milestone="certified", date=certified
            )
            if chance(rng, 18):
                last = days_after(certified, 200, 900, rng)
                yield new(
                    Milestone, id=new_id(), trainer_id=trainer.id, milestone="expert", date=last
                )
    if chance(rng, 5):
        yield new(
            Milestone,
            id=new_id(),
            trainer_id=trainer.id,
            milestone="withdrawn",
            date=days_after(last, 90, 900, rng),
        )


def build_events(
    rng: random.Random, new_id: IdMaker, frame: CountryFrame, end: dt.date, scale: float = 1.0
) -> Iterator[Event | EventParticipation]:
    """NTAC meetings (one or two a year) and constituent trainings shaped like figure 9."""
    number = 0
    for year in range(frame.spec.start.year, end.year + 1):
        meetings = 1 + chance(rng, 20)
        trainings = max(1, round(scale))
        for kind in ["ntac_meeting"] * meetings + ["constituent_training"] * trainings:
            number += 1
            first = max(D(year, 1, 1), frame.spec.start)
            day = random_day(rng, first, min(D(year, 12, 31), end))
            yield from _event(rng, new_id, frame, kind, day, number)


def _event(
    rng: random.Random, new_id: IdMaker, frame: CountryFrame, kind: str, day: dt.date, number: int
) -> Iterator[Event | EventParticipation]:
    if kind == "constituent_training" and chance(rng, 15):
        kind = "workshop"
    event = new(
        Event,
        id=new_id(),
        key=f"{frame.prefix}{frame.spec.code}-EV{number:04d}",
        country_id=frame.country.id,
        kind=kind,
        date=day,
        title=f"{'NTAC meeting' if kind == 'ntac_meeting' else 'Constituent training'} {day:%Y-%m}",
    )
    yield event
    if kind != "ntac_meeting":
        yield from _event_participants(rng, new_id, event)


def _event_participants(
    rng: random.Random, new_id: IdMaker, event: Event
) -> Iterator[EventParticipation]:
    # Phase I events had fewer women (25% vs 43% in Phase II).
    women_factor = 0.6 if event.date.year < 2014 else 1.0
    for group, total, women_pct in CONSTITUENT_GROUPS:
        people = max(0, round(rng.gauss(total / 36, total / 120)))
        female = sum(chance(rng, women_pct * women_factor) for _ in range(people))
        yield new(
            EventParticipation,
            id=new_id(),
            event_id=event.id,
            group=group,
            female=female,
            male=people - female,
        )


# --------------------------------------------------------------------------
# Enterprises and everything that hangs off them, one chunk at a time
# --------------------------------------------------------------------------


@dataclass
class Firm:
    """An enterprise while its chunk is being built."""

    enterprise: Enterprise
    m1_start: dt.date
    extra_modules: list[str]
    last_end: dt.date
    people: int = 0
    eit: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    assessor: uuid.UUID | None = None
    visit_days: set[tuple[uuid.UUID, dt.date]] = field(default_factory=set)


@dataclass
class Counter:
    enterprises: int = 0
    deliveries: int = 0


def build_chunk(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    groups: list[int],
    counter: Counter,
) -> Rows:
    """Enterprises of `groups` (sizes of their Module 1 deliveries) with all their records."""
    rows = Rows()
    latest_m1 = max(window.start, window.end - dt.timedelta(days=240))
    firms: list[Firm] = []
    for size in groups:
        start = random_day(rng, window.start, latest_m1)
        cohort = [_make_firm(rng, new_id, frame, counter, start, rows) for _ in range(size)]
        firms.extend(cohort)
        _deliver(rng, new_id, catalogue, frame, window, "M1", cohort, start, counter, rows)
    _follow_ups(rng, new_id, catalogue, frame, window, firms, counter, rows)
    for firm in firms:
        _outcomes(rng, new_id, catalogue, frame, firm, rows)
    return rows


def _make_firm(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    counter: Counter,
    start: dt.date,
    rows: Rows,
) -> Firm:
    spec = frame.spec
    counter.enterprises += 1
    size = int(min(480, max(8, rng.lognormvariate(4.6, 0.9))))
    women_share = min(0.9, max(0.05, rng.gauss(spec.women_pct / 100, 0.15)))
    cluster = rng.choice(frame.clusters) if frame.clusters and chance(rng, 15) else None
    unionised = None if chance(rng, 5) else chance(rng, spec.unionised_pct)
    enterprise = new(
        Enterprise,
        id=new_id(),
        key=f"{frame.prefix}{spec.code}-E{counter.enterprises:06d}",
        name=f"{rng.choice(spec.sectors)} enterprise {spec.code}-{counter.enterprises:06d}",
        country_id=frame.country.id,
        region_id=rng.choice(frame.regions),
        sector_id=cluster[1] if cluster else rng.choice(frame.sectors),
        cluster_id=cluster[0] if cluster else None,
        workforce_female=round(size * women_share),
        workforce_male=size - round(size * women_share),
        women_owned=None if chance(rng, 4) else chance(rng, spec.women_owned_pct),
        unionised=unionised,
        collective_agreement=None if unionised is None else bool(unionised and chance(rng, 70)),
    )
    rows.add(enterprise)
    if frame.lead_buyers and chance(rng, 30 if spec.code in ("CN", "IN", "VN") else 12):
        rows.add(
            new(
                LeadBuyerLink,
                id=new_id(),
                enterprise_id=enterprise.id,
                lead_buyer_id=rng.choice(frame.lead_buyers),
            )
        )
    return Firm(enterprise, start, _extra_modules(rng, spec), start)


def _extra_modules(rng: random.Random, spec: CountrySpec) -> list[str]:
    # The country page's "took more than one module" share; a few leftovers that cannot
    # fill a delivery of four skip their follow-up, which the report's rounding hides.
    if not chance(rng, spec.more_modules_pct):
        return []
    count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    pool = list(spec.follow_up_modules)
    first = pool[0] if spec.code in ("BO", "ID") else rng.choice(pool)
    rest = [m for m in pool if m != first]
    return [first, *rng.sample(rest, min(count - 1, len(rest)))]


def _follow_ups(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    firms: list[Firm],
    counter: Counter,
    rows: Rows,
) -> None:
    """Further modules, round by round, in deliveries of 4-5 firms after their last module."""
    for round_index in range(3):
        by_module: dict[str, list[Firm]] = {}
        for firm in firms:
            if len(firm.extra_modules) > round_index:
                by_module.setdefault(firm.extra_modules[round_index], []).append(firm)
        for module, waiting in by_module.items():
            waiting.sort(key=lambda firm: firm.last_end)
            for cohort in _cohorts(waiting):
                ready = max(firm.last_end for firm in cohort)
                room = max(15, min(150, (window.end - ready).days // 2))
                start = days_after(ready, 14, room, rng)
                _deliver(
                    rng, new_id, catalogue, frame, window, module, cohort, start, counter, rows
                )


def _cohorts(firms: list[Firm]) -> Iterator[list[Firm]]:
    """Consecutive groups of 4-5; a remainder that cannot be split skips the module."""
    index = 0
    while len(firms) - index >= 4:
        left = len(firms) - index
        size = 4 if representable(left - 4) or left < 5 else 5
        yield firms[index : index + size]
        index += size


def _deliver(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    module: str,
    cohort: list[Firm],
    start: dt.date,
    counter: Counter,
    rows: Rows,
) -> None:
    spec = frame.spec
    counter.deliveries += 1
    end = start + dt.timedelta(days=rng.choice((1, 1, 2, 8)))
    delivery = new(
        Delivery,
        id=new_id(),
        key=f"{frame.prefix}{spec.code}-D{counter.deliveries:06d}",
        country_id=frame.country.id,
        module_id=catalogue.modules[module],
        organiser_id=rng.choice(frame.organisers),
        independence=independence_for(rng, window.phase),
        start_date=start,
        end_date=end,
    )
    rows.add(delivery)
    trainers = frame.trainers.pick(rng, start, rng.choice((1, 2, 2)))
    rows.extend(
        new(Delivery.trainers.through, delivery_id=delivery.id, trainer_id=trainer)
        for trainer in trainers
    )
    fees = _money(rng, new_id, frame, delivery, len(cohort), rows)
    for firm in cohort:
        _enrol(rng, new_id, frame, delivery, module, firm, fees, trainers, rows)


def _enrol(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    module: str,
    firm: Firm,
    fee: float,
    trainers: list[uuid.UUID],
    rows: Rows,
) -> None:
    spec = frame.spec
    dropped = chance(rng, 3)
    status = (
        "dropped"
        if dropped
        else rng.choices(("completed", "consulting_done", "classroom_done"), weights=(80, 12, 8))[0]
    )
    currency = spec.currency
    rows.add(
        new(
            Enrolment,
            id=new_id(),
            delivery_id=delivery.id,
            enterprise_id=firm.enterprise.id,
            status=status,
            fee=money(fee) if fee else None,
            currency=currency if fee else "",
            fee_usd=money(fee / rate_for(currency, delivery.start_date)) if fee else None,
        )
    )
    firm.modules.append(module)
    firm.last_end = max(firm.last_end, delivery.end_date or delivery.start_date)
    if firm.assessor is None and trainers:
        firm.assessor = trainers[0]
    _participants(rng, new_id, spec, delivery, firm, rows)
    if not dropped and trainers:
        _visits(rng, new_id, delivery, firm, trainers, rows)


def _participants(
    rng: random.Random,
    new_id: IdMaker,
    spec: CountrySpec,
    delivery: Delivery,
    firm: Firm,
    rows: Rows,
) -> None:
    """About four people per firm; follow-up modules bring back some EIT members."""
    count = rng.choice((3, 4, 4, 4, 5))
    returning = rng.sample(firm.eit, min(len(firm.eit), rng.randint(0, 2)))
    for index in range(count):
        if index < len(returning):
            person = returning[index]
        else:
            firm.people += 1
            person = f"P{firm.people}"
        # The first of each firm is a manager: a firm sends its decision-maker.
        role = (
            "manager"
            if index == 0
            else ("worker" if chance(rng, spec.workers_pct * 4 / 3) else "manager")
        )
        eit = person in firm.eit or (not firm.modules[:-1] and chance(rng, 60))
        if eit and person not in firm.eit:
            firm.eit.append(person)
        rows.add(
            new(
                Participant,
                id=new_id(),
                delivery_id=delivery.id,
                enterprise_id=firm.enterprise.id,
                person=person,
                sex="female" if chance(rng, spec.women_pct) else "male",
                role=role,
                eit_member=eit,
                satisfaction=_satisfaction(rng, spec.satisfaction_pct),
            )
        )


def _satisfaction(rng: random.Random, good_pct: int) -> int | None:
    if chance(rng, 8):
        return None
    if chance(rng, good_pct):
        return rng.choice((4, 5, 5))
    return rng.choice((1, 2, 3, 3, 3))


def _visits(
    rng: random.Random,
    new_id: IdMaker,
    delivery: Delivery,
    firm: Firm,
    trainers: list[uuid.UUID],
    rows: Rows,
) -> None:
    day = delivery.end_date or delivery.start_date
    for _ in range(rng.randint(1, 3)):
        day = days_after(day, 10, 40, rng)
        trainer = rng.choice(trainers)
        while (trainer, day) in firm.visit_days:
            day += dt.timedelta(days=1)
        firm.visit_days.add((trainer, day))
        rows.add(
            new(
                ConsultingVisit,
                id=new_id(),
                enterprise_id=firm.enterprise.id,
                trainer_id=trainer,
                date=day,
                hours=Decimal(rng.choice((3, 4, 4, 6, 8))),
                delivery_id=delivery.id,
            )
        )


def recovery_pct(spec: CountrySpec, day: dt.date) -> float:
    """Table 2's cost recovery of the year; before 2013 a little under 2013's, after 2017 2017's."""
    year = min(max(day.year, 2013), 2017)
    value = spec.recovery[year - 2013]
    if value is None:
        return 0.0
    return value * 0.8 if day.year < 2013 else float(value)


def _money(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    firms: int,
    rows: Rows,
) -> float:
    """The delivery's direct cost and contributions; returns the fee per firm (local currency)."""
    spec = frame.spec
    rate = rate_for(spec.currency, delivery.start_date)
    cost_usd = spec.cost_per_enrolment_usd * firms * rng.uniform(0.8, 1.2)
    rows.add(_direct_cost(new_id, frame, delivery, cost_usd * rate, rate))
    recovered = cost_usd * rate * recovery_pct(spec, delivery.start_date) / 100
    recovered *= rng.uniform(0.85, 1.15)
    if recovered <= 0:
        return 0.0
    fee_share = rng.uniform(0.3, 0.7)
    rows.add(
        _contribution(
            new_id, frame, delivery, recovered * fee_share, rate, "sme_fee", delivery.organiser_id
        )
    )
    source, payer = _other_source(rng, frame)
    kind = "in_kind" if source == "partner_funds" else "cash"
    rest = recovered * (1 - fee_share)
    rows.add(_contribution(new_id, frame, delivery, rest, rate, source, payer, kind=kind))
    return recovered * fee_share / firms


def _other_source(rng: random.Random, frame: CountryFrame) -> tuple[str, uuid.UUID]:
    options: list[tuple[str, list[uuid.UUID]]] = [
        ("lead_buyer", frame.lead_buyers),
        ("public_budget", frame.public_bodies),
        ("grant", frame.donors),
        ("partner_funds", frame.organisers),
    ]
    available = [(source, ids) for source, ids in options if ids]
    source, ids = rng.choice(available)
    return source, rng.choice(ids)


def _direct_cost(
    new_id: IdMaker, frame: CountryFrame, delivery: Delivery, amount: float, rate: float
) -> DirectCost:
    return new(
        DirectCost,
        id=new_id(),
        country_id=frame.country.id,
        date=delivery.start_date,
        delivery_id=delivery.id,
        category="training delivery",
        amount=money(amount),
        currency=frame.spec.currency,
        usd=money(round(amount, 2) / rate),
    )


def _contribution(
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    amount: float,
    rate: float,
    source: str,
    payer: uuid.UUID | None,
    kind: str = "cash",
) -> Contribution:
    return new(
        Contribution,
        id=new_id(),
        country_id=frame.country.id,
        date=delivery.start_date,
        delivery_id=delivery.id,
        amount=money(amount),
        currency=frame.spec.currency,
        usd=money(round(amount, 2) / rate),
        organisation_id=payer or frame.organisers[0],
        source=source,
        kind=kind,
    )


# --------------------------------------------------------------------------
# Outcomes of one firm: assessments, KPIs, improvement plan, worker survey
# --------------------------------------------------------------------------


def _outcomes(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    firm: Firm,
    rows: Rows,
) -> None:
    baseline = firm.m1_start - dt.timedelta(days=rng.randint(0, 14))
    progress = days_after(firm.last_end, 90, 200, rng)
    _assessments(rng, new_id, catalogue, firm, baseline, progress, rows)
    _kpi_series(rng, new_id, catalogue, firm, baseline, rows)
    if chance(rng, 85):
        _initiatives(rng, new_id, catalogue, firm, rows)
    if chance(rng, 12):
        _survey(rng, new_id, firm, baseline, progress, rows)


def _assessments(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    firm: Firm,
    baseline: dt.date,
    progress: dt.date,
    rows: Rows,
) -> None:
    before = new(
        Assessment,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kind="baseline",
        date=baseline,
        assessor_id=firm.assessor,
    )
    rows.add(before)
    with_progress = chance(rng, 85)
    after = new(
        Assessment,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kind="progress",
        date=progress,
        assessor_id=firm.assessor,
    )
    if with_progress:
        rows.add(after)
    for practice, before_pct, new_pct in catalogue.practices:
        in_place = chance(rng, before_pct)
        rows.add(
            new(
                PracticeAnswer,
                id=new_id(),
                assessment_id=before.id,
                practice_id=practice,
                in_place=in_place,
            )
        )
        if with_progress:
            # Of the firms without it, `new_pct` of all firms adopt it.
            adopted = chance(rng, 100 * new_pct / max(1, 100 - before_pct))
            now = (in_place and chance(rng, 95)) or (not in_place and adopted)
            rows.add(
                new(
                    PracticeAnswer,
                    id=new_id(),
                    assessment_id=after.id,
                    practice_id=practice,
                    in_place=now,
                )
            )


def _kpi_series(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    firm: Firm,
    baseline: dt.date,
    rows: Rows,
) -> None:
    """Monthly observations of 2-4 KPIs: most firms report 6+ months, some fewer."""
    months = rng.randint(6, 12) if chance(rng, 65) else rng.randint(1, 5)
    others = [code for code in catalogue.kpis if not code.startswith("employment")]
    chosen = rng.sample(others, rng.randint(1, 3))
    if chance(rng, 85):
        chosen.append("employment")
    first = month_start(baseline)
    for code in chosen:
        kpi_id, spec = catalogue.kpis[code]
        for month, value in enumerate(_series(rng, spec, firm, months)):
            rows.add(_observation(new_id, firm, kpi_id, spec, month_start(first, month), value))


def _series(rng: random.Random, spec: KpiSpec, firm: Firm, months: int) -> list[float]:
    if spec.code == "employment":
        start = float(firm.enterprise.workforce or 10)
    else:
        start = rng.uniform(*spec.base)
    better = 1 if spec.better == "higher" else -1
    trend = better if rng.random() < spec.improve else -better * rng.choice((0, 1))
    step = rng.uniform(0.005, 0.04) * trend
    values = []
    for month in range(months):
        noise = rng.gauss(0, 0.01)
        values.append(max(0.0, start * (1 + step * month + noise)))
    if spec.code == "employment":
        return [float(round(v)) for v in values]
    return values


def _observation(
    new_id: IdMaker, firm: Firm, kpi_id: uuid.UUID, spec: KpiSpec, month: dt.date, value: float
) -> KpiObservation:
    numerator = denominator = None
    if spec.denominator:
        # Ratio KPIs are entered as counts; the value is their quotient (as KpiObservation.save).
        units = 1000 + (firm.enterprise.workforce or 10) * 50
        denominator = Decimal(units)
        numerator = Decimal(round(value * units))
        value = float(numerator) / units
    return new(
        KpiObservation,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kpi_id=kpi_id,
        month=month,
        value=Decimal(f"{value:.6f}"),
        numerator=numerator,
        denominator=denominator,
        source="synthetic",
    )


def _initiatives(
    rng: random.Random, new_id: IdMaker, catalogue: Catalogue, firm: Firm, rows: Rows
) -> None:
    titled = [(m, t) for m in dict.fromkeys(firm.modules) for t in INITIATIVE_TITLES.get(m, ())]
    chosen = rng.sample(titled, min(len(titled), rng.randint(2, 5)))
    saves = chance(rng, 70)
    for module, title in chosen:
        started = days_after(firm.m1_start, 7, 90, rng)
        status = rng.choices(("done", "in_progress", "planned", "dropped"), (55, 25, 15, 5))[0]
        rows.add(
            new(
                Initiative,
                id=new_id(),
                enterprise_id=firm.enterprise.id,
                title=title,
                module_id=catalogue.modules[module],
                category=module,
                gender_related=title in GENDER_TITLES,
                status=status,
                started_on=None if status == "planned" else started,
                completed_on=days_after(started, 14, 200, rng) if status == "done" else None,
                cost_usd=money(rng.uniform(0, 3000)),
                saving_usd=money(rng.uniform(50, 20000)) if saves and status == "done" else None,
            )
        )


def _survey(
    rng: random.Random,
    new_id: IdMaker,
    firm: Firm,
    baseline: dt.date,
    progress: dt.date,
    rows: Rows,
) -> None:
    for wave, day, lift in (("before", baseline, 0), ("after", progress, 1)):
        for respondent in range(1, rng.randint(4, 6) + 1):
            sex = rng.choice(("female", "male", "female", "male", "undisclosed"))
            for question in SURVEY_QUESTIONS:
                answer = min(5, max(1, round(rng.gauss(3 + 0.6 * lift, 0.9))))
                rows.add(
                    new(
                        WorkerSurveyAnswer,
                        id=new_id(),
                        enterprise_id=firm.enterprise.id,
                        wave=wave,
                        date=day,
                        respondent=f"R{respondent}",
                        sex=sex,
                        question=question,
                        answer=answer,
                    )
                )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_rows(rows: Rows, *, batch_size: int) -> dict[str, int]:
    """Insert every row, parents first; returns the number of rows per model label."""
    counts: dict[str, int] = {}
    for model, objs in rows.ordered():
        bulk.insert(model, objs, batch_size=batch_size)
        counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objs)
    return counts


# --------------------------------------------------------------------------
# Plans: which cohorts of enterprises a run builds
# --------------------------------------------------------------------------


@dataclass
class Cell:
    """The enterprises of one country that take Module 1 in one window."""

    country: str
    window: Window
    groups: list[int]

    @property
    def firms(self) -> int:
        return sum(self.groups)


def phase_window(spec: CountrySpec, phase: str) -> Window | None:
    """The phase's dates from three months after the country programme started."""
    name, start, end = next(p for p in PHASES if p[0] == phase)
    start = max(start, month_start(spec.start, 3))
    return Window(name, start, end) if start < end - dt.timedelta(days=60) else None


def demo_plan(rng: random.Random) -> list[Cell]:
    """Figure 6: the SMEs of each country in phases I and II."""
    cells = []
    for spec in COUNTRIES:
        for phase, count in (("I", spec.smes_phase1), ("II", spec.smes_phase2)):
            window = phase_window(spec, phase)
            if window is not None and count:
                cells.append(Cell(spec.code, window, split_groups(count, rng)))
    return cells


# How a generated programme spreads its enterprises over the phases.
PHASE_WEIGHTS = {"I": 0.3, "II": 1.0, "III": 0.8, "IV": 0.4}


def scaled_plan(rng: random.Random, enterprises: int) -> list[Cell]:
    """`enterprises` firms over the countries (weighted like Phase II) and the four phases."""
    cells = [
        Cell(spec.code, window, [])
        for spec in COUNTRIES
        for phase in PHASE_WEIGHTS
        if (window := phase_window(spec, phase)) is not None
    ]
    weights = [
        COUNTRY_BY_CODE[cell.country].smes_phase2 * PHASE_WEIGHTS[cell.window.phase]
        for cell in cells
    ]
    groups = split_groups(enterprises, rng)
    for cell, size in zip(rng.choices(cells, weights=weights, k=len(groups)), groups, strict=True):
        cell.groups.append(size)
    return [cell for cell in cells if cell.groups]


def chunks(cell: Cell, firms_per_chunk: int) -> Iterator[list[int]]:
    """The cell's delivery groups in slices of about `firms_per_chunk` enterprises."""
    size = max(1, firms_per_chunk // 4)
    for index in range(0, len(cell.groups), size):
        yield cell.groups[index : index + size]


def trainer_windows(
    cells: list[Cell], per_firm: float | None
) -> list[tuple[dt.date, dt.date, int, int]]:
    """(start, end, trained, certified) per cell: the report's counts, or a share of the firms."""
    windows = []
    for cell in cells:
        spec = COUNTRY_BY_CODE[cell.country]
        start = max(spec.start, cell.window.start - dt.timedelta(days=120))
        if per_firm is None:  # demo: the country page's Phase II box, Phase I about half of it
            factor = 1.0 if cell.window.phase == "II" else 0.55
            trained = max(2, round(spec.trainers_phase2 * factor))
            certified = round(spec.certified_phase2 * (1.0 if factor == 1.0 else 0.3))
        else:
            trained = max(2, round(cell.firms * per_firm))
            certified = round(trained * 0.35)
        windows.append((start, cell.window.end, trained, certified))
    return windows


# --------------------------------------------------------------------------
# Running a plan
# --------------------------------------------------------------------------


@dataclass
class RunOptions:
    purpose: str  # "demo" or "generate": separate random streams, so ids never collide
    seed: int
    prefix: str  # of every key the run creates
    trainers_per_firm: float | None  # None: the report's trainer counts
    events_until: dt.date
    events_scale: float = 1.0
    firms_per_chunk: int = 1000
    batch_size: int = 2000


def run_plan(
    cells: list[Cell], options: RunOptions, report: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Build and insert the cells' enterprises country by country, one atomic chunk at a time.

    Returns the number of rows inserted per model label. `report(done, total)` is
    called after each chunk with the number of enterprises written so far.
    """
    catalogue = load_catalogues()
    new_id = IdMaker(random.Random(f"{options.purpose}:{options.seed}:ids"))
    totals: dict[str, int] = {}
    done, total = 0, sum(cell.firms for cell in cells)
    for spec in COUNTRIES:
        country_cells = [cell for cell in cells if cell.country == spec.code]
        if not country_cells:
            continue
        rng = random.Random(f"{options.purpose}:{options.seed}:{spec.code}")
        with transaction.atomic():
            frame = prepare_frame(catalogue, spec, options.prefix)
            rows = country_rows(rng, new_id, frame, country_cells, options)
            _add(totals, write_rows(rows, batch_size=options.batch_size))
        counter = Counter()
        for cell in country_cells:
            for groups in chunks(cell, options.firms_per_chunk):
                with transaction.atomic():
                    rows = build_chunk(rng, new_id, catalogue, frame, cell.window, groups, counter)
                    _add(totals, write_rows(rows, batch_size=options.batch_size))
                done += sum(groups)
                if report is not None:
                    report(done, total)
    derived.refresh()  # the outcome rows of everything written (a full rebuild when big)
    return totals


def country_rows(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    cells: list[Cell],
    options: RunOptions,
) -> Rows:
    """The run's trainers (with milestones) and events of one country."""
    rows = Rows()
    rows.extend(
        build_trainers(rng, new_id, frame, trainer_windows(cells, options.trainers_per_firm))
    )
    rows.extend(build_events(rng, new_id, frame, options.events_until, options.events_scale))
    return rows


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for label, count in counts.items():
        totals[label] = totals.get(label, 0) + count
