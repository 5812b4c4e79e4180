"""A tiny programme whose report figures are worked out by hand in the tests.

Phases: I = 2013, II = 2014-2015. Modules M1, M2.
Bolivia (BO):
- D0 (M1, 2013-05-01): firm C, one male manager.
- D1 (M1, 2014-03-01): firm A (women-owned): a female worker and a male manager;
  firm B (not women-owned): a female worker.
- D2 (M2, 2015-05-01): firm A, a male worker.
  Phase II: SMEs A, B (2); 50 % women-owned; A took M1 and M2, so 50 % took more
  than one module; 4 participations: 3 workers (75 %), 2 women (50 %).
  Per module: Phase II M1 = 2, M2 = 1; all time M1 = 3 (A, B, C), M2 = 1.
- Trainers: T1 (female) trained 2014-02-01, certified 2015-01-10; T2 (male)
  trained 2014-06-01; T3 (male) trained 2013-01-05 (Phase I).
- Costs 1000 USD in 2014 and in 2015; contributions 400 (SME fees, 2014) and 600
  (grant, 2015): cost recovery 40 % (2014), 60 % (2015), 50 % in Phase II; target 55.
- Agreements: X (employer organisation, signed 2012), Y (industry association, 2014).
- A constituent training (2014-06-01): government 3 women + 1 man, employers 2 men.
Peru (PE):
- D3 (M1, 2014-04-01): firm D, one female manager.
- Cost 200 and SME fees 200 in 2014: 100 %; target 50.
- Agreement: Z (industry association, 2014).
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.tests.conftest import Make
from scoretrack.reference.models import Target


@pytest.fixture
def programme(db: Any) -> SimpleNamespace:
    make = Make()
    p = SimpleNamespace(make=make)
    make.country("BO").__class__.objects.filter(code="BO").update(name="Bolivia")
    make.country("PE").__class__.objects.filter(code="PE").update(name="Peru")
    p.phase1 = make.phase("I", "2013-01-01", "2013-12-31")
    p.phase2 = make.phase("II", "2014-01-01", "2015-12-31")
    p.A = make.enterprise("A", women_owned=True)
    p.B = make.enterprise("B", women_owned=False)
    p.C = make.enterprise("C")
    p.D = make.enterprise("D", country="PE")
    d0 = make.delivery("D0", "M1", "2013-05-01")
    d1 = make.delivery("D1", "M1", "2014-03-01")
    d2 = make.delivery("D2", "M2", "2015-05-01")
    d3 = make.delivery("D3", "M1", "2014-04-01", country="PE")
    make.participant(d0, p.C, "male", "manager")
    make.participant(d1, p.A, "female", "worker")
    make.participant(d1, p.A, "male", "manager")
    make.participant(d1, p.B, "female", "worker")
    make.participant(d2, p.A, "male", "worker")
    make.participant(d3, p.D, "female", "manager")
    p.T1 = make.trainer("T1", "female")
    make.milestone(p.T1, "trained", "2014-02-01")
    make.milestone(p.T1, "certified", "2015-01-10")
    make.milestone(make.trainer("T2", "male"), "trained", "2014-06-01")
    make.milestone(make.trainer("T3", "male"), "trained", "2013-01-05")
    x = make.org("X", "employer_organisation")
    make.agreement(x, "2012-01-01")
    make.agreement(make.org("Y", "industry_association"), "2014-05-01")
    z = make.org("Z", "industry_association", country="PE")
    make.agreement(z, "2014-01-01", country="PE")
    make.cost("2014-02-01", "1000")
    make.cost("2015-02-01", "1000")
    make.contribution("2014-03-01", "400", x, source="sme_fee")
    make.contribution("2015-03-01", "600", x, source="grant")
    make.cost("2014-02-01", "200", country="PE")
    make.contribution("2014-03-01", "200", z, source="sme_fee", country="PE")
    make.event("EV1", "constituent_training", "2014-06-01", government=(3, 1), employers=(0, 2))
    for code, value in (("BO", 55), ("PE", 50)):
        Target.objects.create(
            indicator="cost_recovery_pct",
            country=make.country(code),
            phase=p.phase2,
            value=Decimal(value),
        )
    return p


def client_for(role: str, **scope: Any) -> Client:
    user = User.objects.create_user(email=f"{role}@example.org", password="pw-123456789")
    RoleAssignment.objects.create(user=user, role=role, **scope)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def donor_client(db: Any) -> Client:
    return client_for("viewer")


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML handed to WeasyPrint, kept for the test to read."""
    from scoretrack.reports import pdf

    seen: list[str] = []
    original = pdf.render_to_string

    def spy(*args: Any, **kwargs: Any) -> str:
        html = original(*args, **kwargs)
        seen.append(html)
        return html

    monkeypatch.setattr(pdf, "render_to_string", spy)
    return seen
