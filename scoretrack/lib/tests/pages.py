"""A small, readable world for the page tests of every app (imported by their conftest).

Bolivia (BOB, rates from 2015) and Peru; two sectors; in Bolivia a region and a
cluster; modules M1 and M2; an implementation partner in each country and a global
lead buyer; enterprises, trainers and deliveries with hand-known values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.enterprises.models import Enterprise
from scoretrack.finance.models import ExchangeRate
from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import (
    Cluster,
    CountryProgramme,
    Module,
    Organisation,
    Region,
    Sector,
)
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import Delivery

D = dt.date.fromisoformat


def build_world(user: Any) -> SimpleNamespace:
    w = SimpleNamespace()
    with acting_as(user):
        w.bo = CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")
        w.pe = CountryProgramme.objects.create(code="PE", name="Peru", currency="PEN")
        ExchangeRate.objects.create(currency="BOB", date=D("2015-01-01"), per_usd=Decimal("6.90"))
        w.textiles = Sector.objects.create(name="Textiles")
        w.food = Sector.objects.create(name="Food")
        w.la_paz = Region.objects.create(country=w.bo, name="La Paz")
        w.lima = Region.objects.create(country=w.pe, name="Lima")
        w.weavers = Cluster.objects.create(country=w.bo, name="El Alto weavers")
        w.m1 = Module.objects.create(code="M1", name="Workplace Cooperation", core=True)
        w.m2 = Module.objects.create(code="M2", name="Quality Management", core=True)
        w.cainco = Organisation.objects.create(
            key="CAINCO", name="Cámara de Industria", country=w.bo, type="employer_organisation"
        )
        w.senati = Organisation.objects.create(
            key="SENATI", name="SENATI", country=w.pe, type="government_training"
        )
        w.buyer = Organisation.objects.create(key="ACME", name="Acme Retail", type="lead_buyer")
        w.andina = Enterprise.objects.create(
            key="E1",
            name="Textiles Andina",
            country=w.bo,
            region=w.la_paz,
            sector=w.textiles,
            workforce_female=30,
            workforce_male=10,
            women_owned=True,
        )
        w.sol = Enterprise.objects.create(
            key="E2", name="Panadería Sol", country=w.bo, sector=w.food, women_owned=False
        )
        w.inca = Enterprise.objects.create(
            key="E1", name="Inca Foods", country=w.pe, sector=w.food, region=w.lima
        )
        w.ana = Trainer.objects.create(key="T1", name="Ana Quispe", sex="female", country=w.bo)
        w.luis = Trainer.objects.create(key="T2", name="Luis Mamani", sex="male", country=w.bo)
        w.rosa = Trainer.objects.create(key="T1", name="Rosa Paz", sex="female", country=w.pe)
        w.d_bo = Delivery.objects.create(
            key="BO-2016-01",
            country=w.bo,
            module=w.m1,
            organiser=w.cainco,
            independence="supported",
            start_date=D("2016-03-01"),
        )
        w.d_bo.trainers.add(w.ana)
        w.d_bo2 = Delivery.objects.create(
            key="BO-2017-01", country=w.bo, module=w.m2, start_date=D("2017-05-10")
        )
        w.d_pe = Delivery.objects.create(
            key="PE-2016-01",
            country=w.pe,
            module=w.m1,
            organiser=w.senati,
            independence="independent",
            start_date=D("2016-06-01"),
        )
    return w


@pytest.fixture
def world(admin: Any) -> SimpleNamespace:
    return build_world(admin)


class PostedBack(HTMLParser):
    """The name/value pairs a browser submits with the page's form that posts to itself."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def add(self, name: str | None, value: str | None) -> None:
        if name and name != "csrfmiddlewaretoken":
            self.data.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and a.get("action", self.url) == self.url:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.add(a.get("name"), a.get("value"))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and "selected" in a:
            self.add(self.select, a.get("value"))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the newline that opens a textarea's content.
            self.add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None


def as_shown(client: Client, url: str) -> dict[str, Any]:
    """What a browser posts back for the form of the page at `url`, left as shown."""
    parser = PostedBack(url)
    parser.feed(client.get(url).content.decode())
    return parser.data
