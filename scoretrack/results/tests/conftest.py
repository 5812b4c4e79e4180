"""A small programme whose tracking table is worked out by hand in the tests.

Phases: I = 2013, II = 2014-2015. Module M1, M2. Organisation NPC (BO) organises D1, D3.
Bolivia (BO):
- D0 (M1, 2013-06-01): firm C, a male manager                  -> before 2014: baseline
- D1 (M1, 2014-02-10, NPC): firm A, a female worker, a male manager    -> 2014 Q1
- D2 (M1, 2014-05-05): firm B, a female worker, a female manager       -> 2014 Q2
- D3 (M2, 2014-08-01, NPC): firm A, a male worker                      -> 2014 Q3
- D5 (M1, 2014-10-20): firm C, a male worker                           -> 2014 Q4
Peru (PE):
- D4 (M1, 2014-04-01): firm D, a female manager                        -> 2014 Q2

SMEs trained in Bolivia per quarter of 2014: Q1 1 (A), Q2 1 (B), Q3 1 (A), Q4 1 (C);
from the start to the end of Q3: A, B, C = 3; before 2014 (baseline): C = 1.
Staff trained in Bolivia, women: Q1 1, Q2 2, Q3 0, Q4 0; baseline 0.
The programme in 2014: SMEs A, B, C, D = 4; staff 7; before 2014: 1 SME, 1 person.

Bolivia's targets for smes_trained in 2014: Q1 1, Q2 2, Q3 3.3 cumulative, Q4 2;
for staff_trained, women: Q2 2.
The programme's chain: impact (no indicator), output OP1 "SMEs trained"
(smes_trained, staff_trained); Bolivia has none of its own: it follows it.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.indicators.tests.conftest import Make
from scoretrack.reference.models import Target
from scoretrack.reports.tests.conftest import printed  # noqa: F401 (a fixture of the downloads test)
from scoretrack.results.models import ResultLevel


@pytest.fixture
def tracked(db: Any) -> SimpleNamespace:
    make = Make()
    p = SimpleNamespace(make=make)
    make.phase("I", "2013-01-01", "2013-12-31")
    make.phase("II", "2014-01-01", "2015-12-31")
    bolivia = make.country("BO")
    make.country("PE")
    p.npc = make.org("NPC", "private_training")
    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C")
    d = make.enterprise("D", country="PE")
    make.participant(make.delivery("D0", "M1", "2013-06-01"), c, "male", "manager")
    d1 = make.delivery("D1", "M1", "2014-02-10", organiser=p.npc)
    make.participant(d1, a, "female", "worker")
    make.participant(d1, a, "male", "manager")
    d2 = make.delivery("D2", "M1", "2014-05-05")
    make.participant(d2, b, "female", "worker")
    make.participant(d2, b, "female", "manager")
    make.participant(make.delivery("D3", "M2", "2014-08-01", organiser=p.npc), a, "male", "worker")
    make.participant(make.delivery("D5", "M1", "2014-10-20"), c, "male", "worker")
    make.participant(make.delivery("D4", "M1", "2014-04-01", country="PE"), d, "female", "manager")
    for quarter, value, cumulative in (
        (1, "1", False),
        (2, "2", False),
        (3, "3.3", True),
        (4, "2", False),
    ):
        Target.objects.create(
            indicator="smes_trained",
            country=bolivia,
            year=2014,
            quarter=quarter,
            cumulative=cumulative,
            value=Decimal(value),
        )
    Target.objects.create(
        indicator="staff_trained",
        country=bolivia,
        year=2014,
        quarter=2,
        disaggregation="sex",
        group="female",
        value=Decimal(2),
    )
    ResultLevel.objects.create(key="IMP", level="impact", statement="Productive, decent SMEs")
    ResultLevel.objects.create(
        key="OP1",
        level="output",
        statement="SMEs trained",
        indicators="smes_trained, staff_trained",
        assumptions="Firms release staff",
        verification="Participant lists",
    )
    return p
