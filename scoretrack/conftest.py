"""Fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.events.models import Event, EventParticipation
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.lib.i18n import compile_stale_catalogues
from scoretrack.outcomes.models import Initiative
from scoretrack.reference.models import Agreement, CountryProgramme, Module, Organisation
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant


def pytest_configure(config: pytest.Config) -> None:
    # The .mo files are build output (make install); a bare `pytest` compiles them too.
    compile_stale_catalogues(Path(settings.LOCALE_PATHS[0]))


@pytest.fixture(autouse=True)
def _no_language_leaks() -> Any:
    # A request activates its user's language for the thread; the next test starts in English.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_pages_read_leak() -> Any:
    # The pages readers opened (reports.warm.note_read) outlive a test in the cache;
    # each test's warm-up plans only its own.
    from django.core.cache import cache

    from scoretrack.reports.warm import READ

    cache.delete(READ)
    yield


@pytest.fixture
def caching(settings: Any) -> Any:
    """Reports kept (reports/cache.py), in a cache emptied before and after."""
    from django.core.cache import cache

    settings.REPORTS_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def warming(caching: Any, settings: Any) -> Any:
    """Reports and disclosure counts kept, and an idle worker making them ahead of
    their readers (reports/warm.py)."""
    settings.DISCLOSURE_CACHE_SECONDS = 60
    settings.DISCLOSURE_WARM_SECONDS = 30


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.create_superuser(email="hq@example.org", password="pw-hq-123456")


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def day() -> Any:
    return lambda text: dt.date.fromisoformat(text)


# The scoping world.
# A small world of two country programmes and one user per role.
#
# Bolivia: partner P-BO organises D-BO (trainer T-BO) with E-BO1; D-BO2 (no
# organiser) has E-BO2, which T-BO visited. Peru: partner P-PE organises D-PE
# (trainer T-PE) with E-PE1. The global lead buyer LB buys from E-BO1 and E-PE1
# and sponsored Bolivia. One participant per enrolment, one cost per country, one
# event per country.
D = dt.date(2015, 6, 1)


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    """Two country programmes and one user per role (see the comment above)."""
    w = SimpleNamespace()
    w.BO = CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")
    w.PE = CountryProgramme.objects.create(code="PE", name="Peru", currency="PEN")
    m1 = Module.objects.create(code="M1", name="Workplace Cooperation")
    w.P_BO = Organisation.objects.create(
        key="P-BO", name="Cainco", country=w.BO, type="industry_association"
    )
    w.P_PE = Organisation.objects.create(
        key="P-PE", name="SNI", country=w.PE, type="industry_association"
    )
    w.LB = Organisation.objects.create(key="LB", name="BigBuyer", type="lead_buyer")
    w.AG_BO = Agreement.objects.create(organisation=w.P_BO, country=w.BO, kind="mou", signed_on=D)
    w.AG_PE = Agreement.objects.create(organisation=w.P_PE, country=w.PE, kind="mou", signed_on=D)
    w.T_BO = Trainer.objects.create(
        key="T-BO", name="Ana", sex="female", country=w.BO, organisation=w.P_BO
    )
    w.T_PE = Trainer.objects.create(key="T-PE", name="Luis", sex="male", country=w.PE)
    w.MS_BO = Milestone.objects.create(trainer=w.T_BO, milestone="trained", date=D)
    w.MS_PE = Milestone.objects.create(trainer=w.T_PE, milestone="trained", date=D)
    w.E_BO1 = Enterprise.objects.create(key="E-BO1", name="Textil Andina", country=w.BO)
    w.E_BO2 = Enterprise.objects.create(key="E-BO2", name="Muebles Sur", country=w.BO)
    w.E_PE1 = Enterprise.objects.create(key="E-PE1", name="Pesca Norte", country=w.PE)
    w.LINK_BO = LeadBuyerLink.objects.create(enterprise=w.E_BO1, lead_buyer=w.LB)
    w.LINK_PE = LeadBuyerLink.objects.create(enterprise=w.E_PE1, lead_buyer=w.LB)
    w.D_BO = Delivery.objects.create(
        key="D-BO", country=w.BO, module=m1, organiser=w.P_BO, start_date=D
    )
    w.D_BO.trainers.add(w.T_BO)
    w.D_BO2 = Delivery.objects.create(key="D-BO2", country=w.BO, module=m1, start_date=D)
    w.D_PE = Delivery.objects.create(
        key="D-PE", country=w.PE, module=m1, organiser=w.P_PE, start_date=D
    )
    w.D_PE.trainers.add(w.T_PE)
    w.enrolments = {}
    w.participants = {}
    for delivery, firm in ((w.D_BO, w.E_BO1), (w.D_BO2, w.E_BO2), (w.D_PE, w.E_PE1)):
        w.enrolments[firm.key] = Enrolment.objects.create(delivery=delivery, enterprise=firm)
        w.participants[firm.key] = Participant.objects.create(
            delivery=delivery, enterprise=firm, sex="female", role="worker", name=f"P of {firm.key}"
        )
    w.VISIT = ConsultingVisit.objects.create(enterprise=w.E_BO2, trainer=w.T_BO, date=D)
    w.COST_BO = DirectCost.objects.create(
        country=w.BO, date=D, delivery=w.D_BO, amount=100, currency="USD"
    )
    w.COST_PE = DirectCost.objects.create(country=w.PE, date=D, amount=100, currency="USD")
    w.CONTRIB_LB = Contribution.objects.create(
        country=w.BO, date=D, organisation=w.LB, source="lead_buyer", amount=10, currency="USD"
    )
    w.CONTRIB_PE = Contribution.objects.create(
        country=w.PE, date=D, organisation=w.P_PE, source="partner_funds", amount=5, currency="USD"
    )
    w.EV_BO = Event.objects.create(key="EV-BO", country=w.BO, kind="workshop", date=D)
    w.EV_PE = Event.objects.create(key="EV-PE", country=w.PE, kind="workshop", date=D)
    w.EVP_BO = EventParticipation.objects.create(event=w.EV_BO, group="government", female=1)
    w.EVP_PE = EventParticipation.objects.create(event=w.EV_PE, group="government", female=1)
    w.INIT_BO1 = Initiative.objects.create(enterprise=w.E_BO1, title="5S")
    w.INIT_PE1 = Initiative.objects.create(enterprise=w.E_PE1, title="5S")

    def user(email: str, **role: Any) -> User:
        u = User.objects.create_user(email=email, password="pw")
        if role:
            RoleAssignment.objects.create(user=u, **role)
        return u

    w.users = {
        "global": user("global@x.org", role="global_admin"),
        "country": user("bo@x.org", role="country_team", country=w.BO),
        "partner": user("cainco@x.org", role="partner", organisation=w.P_BO),
        "trainer": user("ana@x.org", role="trainer", trainer=w.T_BO),
        "enterprise": user("andina@x.org", role="enterprise", enterprise=w.E_BO1),
        "lead_buyer": user("buyer@x.org", role="lead_buyer", organisation=w.LB),
        "viewer": user("donor@x.org", role="viewer"),
        "nobody": user("nobody@x.org"),
    }
    return w
