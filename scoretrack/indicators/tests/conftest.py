"""A small builder of hand-made records, and helpers to ask the registry for figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from scoretrack.accounts.models import User
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.events.models import Event, EventParticipation
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.indicators.registry import Filters, Request, Source, compute, evaluate, resolve
from scoretrack.lib import derived
from scoretrack.outcomes.models import (
    Assessment,
    Initiative,
    Kpi,
    KpiObservation,
    Practice,
    PracticeAnswer,
)
from scoretrack.reference.models import (
    Agreement,
    CountryProgramme,
    Module,
    Organisation,
    Phase,
    Sector,
)
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.training.models import Delivery, Enrolment, Participant


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Make:
    """Creates records with the fewest words; reference rows are made on first use."""

    def country(self, code: str = "BO") -> CountryProgramme:
        return CountryProgramme.objects.get_or_create(code=code, defaults={"name": code})[0]

    def phase(self, name: str, start: str, end: str) -> Phase:
        return Phase.objects.create(name=name, start_date=day(start), end_date=day(end))

    def module(self, code: str) -> Module:
        return Module.objects.get_or_create(code=code, defaults={"name": code})[0]

    def sector(self, name: str) -> Sector:
        return Sector.objects.get_or_create(name=name)[0]

    def org(
        self, key: str, type: str = "employer_organisation", country: str | None = "BO"
    ) -> Organisation:
        return Organisation.objects.create(
            key=key, name=key, type=type, country=self.country(country) if country else None
        )

    def enterprise(
        self,
        key: str,
        country: str = "BO",
        sector: str | None = None,
        buyers: tuple[Organisation, ...] = (),
        **fields: Any,
    ) -> Enterprise:
        firm = Enterprise.objects.create(
            key=key,
            name=key,
            country=self.country(country),
            sector=self.sector(sector) if sector else None,
            **fields,
        )
        for buyer in buyers:
            LeadBuyerLink.objects.create(enterprise=firm, lead_buyer=buyer)
        return firm

    def delivery(
        self,
        key: str,
        module: str = "M1",
        start: str = "2020-03-01",
        country: str = "BO",
        organiser: Organisation | None = None,
        independence: str = "programme",
    ) -> Delivery:
        return Delivery.objects.create(
            key=key,
            module=self.module(module),
            start_date=day(start),
            country=self.country(country),
            organiser=organiser,
            independence=independence,
        )

    def participant(
        self,
        delivery: Delivery,
        firm: Enterprise,
        sex: str = "female",
        role: str = "worker",
        **fields: Any,
    ) -> Participant:
        # A participant's firm is enrolled in the delivery (a rule of the model).
        Enrolment.objects.get_or_create(delivery=delivery, enterprise=firm)
        return Participant.objects.create(
            delivery=delivery, enterprise=firm, sex=sex, role=role, **fields
        )

    def trainer(self, key: str, sex: str = "female", country: str = "BO", **fields: Any) -> Trainer:
        return Trainer.objects.create(
            key=key, name=key, sex=sex, country=self.country(country), **fields
        )

    def milestone(self, trainer: Trainer, kind: str, date: str) -> Milestone:
        return Milestone.objects.create(trainer=trainer, milestone=kind, date=day(date))

    def agreement(
        self, org: Organisation, signed: str, ended: str | None = None, country: str = "BO"
    ) -> Agreement:
        return Agreement.objects.create(
            organisation=org,
            country=self.country(country),
            kind="mou",
            signed_on=day(signed),
            ended_on=day(ended) if ended else None,
        )

    def cost(self, date: str, usd: str, country: str = "BO", **fields: Any) -> DirectCost:
        return DirectCost.objects.create(
            country=self.country(country),
            date=day(date),
            amount=Decimal(usd),
            currency="USD",
            usd=Decimal(usd),
            **fields,
        )

    def contribution(
        self,
        date: str,
        usd: str,
        org: Organisation,
        source: str = "sme_fee",
        kind: str = "cash",
        country: str = "BO",
        **fields: Any,
    ) -> Contribution:
        return Contribution.objects.create(
            country=self.country(country),
            date=day(date),
            organisation=org,
            source=source,
            kind=kind,
            amount=Decimal(usd),
            currency="USD",
            usd=Decimal(usd),
            **fields,
        )

    def practice(self, code: str) -> Practice:
        return Practice.objects.get_or_create(code=code, defaults={"name": code})[0]

    def assessment(self, firm: Enterprise, kind: str, date: str, **answers: bool) -> Assessment:
        assessment = Assessment.objects.create(enterprise=firm, kind=kind, date=day(date))
        for code, in_place in answers.items():
            PracticeAnswer.objects.create(
                assessment=assessment, practice=self.practice(code), in_place=in_place
            )
        return assessment

    def kpi(self, code: str, better: str = "higher") -> Kpi:
        return Kpi.objects.get_or_create(
            code=code, defaults={"name": code, "unit": "n", "better": better}
        )[0]

    def observations(self, firm: Enterprise, kpi: Kpi, first: str, *values: str) -> None:
        """One observation per month from `first` (YYYY-MM), in order."""
        year, month = (int(part) for part in first.split("-"))
        for value in values:
            KpiObservation.objects.create(
                enterprise=firm, kpi=kpi, month=dt.date(year, month, 1), value=Decimal(value)
            )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def initiative(self, firm: Enterprise, title: str, **fields: Any) -> Initiative:
        if isinstance(fields.get("started_on"), str):
            fields["started_on"] = day(fields["started_on"])
        return Initiative.objects.create(enterprise=firm, title=title, **fields)

    def event(
        self, key: str, kind: str, date: str, country: str = "BO", **groups: tuple[int, int]
    ) -> Event:
        event = Event.objects.create(
            key=key, kind=kind, date=day(date), country=self.country(country)
        )
        for group, (female, male) in groups.items():
            EventParticipation.objects.create(event=event, group=group, female=female, male=male)
        return event


@pytest.fixture
def make(db: Any) -> Make:
    return Make()


def request_for(*codes: str, **filters: Any) -> Request:
    if "from" in filters:
        filters["date_from"] = day(filters.pop("from"))
    if "to" in filters:
        filters["date_to"] = day(filters.pop("to"))
    return Request(codes=list(codes), **filters)


class Ask:
    """Asks the registry as one user: `ask("code", country="BO")` gives the figure."""

    def __init__(self, user: User) -> None:
        self.user = user

    def __call__(self, code: str, **filters: Any) -> Any:
        return evaluate(self.user, request_for(code, **filters))["values"][code]

    def filters(self, code: str, **filters: Any) -> Filters:
        return resolve(Source(self.user), request_for(code, **filters))

    def compute(self, code: str, filters: Filters) -> Any:
        return compute(code, self.user, filters)


@pytest.fixture
def ask(admin: User) -> Ask:
    return Ask(admin)


@pytest.fixture
def queries_of(ask: Ask, django_assert_num_queries: Any) -> Any:
    """Assert how many queries one indicator runs (its filters resolved and the derived
    outcome rows refreshed beforehand: outcome figures then take one more query, the
    look at the refresh queue)."""

    def check(code: str, expected: int, **filters: Any) -> Any:
        resolved = ask.filters(code, **filters)
        derived.refresh()  # the outcome rows are brought up to date beforehand
        with django_assert_num_queries(expected):
            return ask.compute(code, resolved)

    return check
