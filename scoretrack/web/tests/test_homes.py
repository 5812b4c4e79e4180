"""Each role lands on its own home: its figures (from the registry), a chart and what
needs doing. Values worked out by hand from the scoping world (scoretrack/conftest.py):

Bolivia: partner P-BO organises D-BO (trainer T-BO "Ana") with E-BO1 "Textil Andina";
D-BO2 (no organiser) has E-BO2 "Muebles Sur", which Ana visited on 2015-06-01. Peru:
P-PE organises D-PE (trainer "Luis") with E-PE1 "Pesca Norte". One participant per
enrolment. Costs: 100 USD in each country (Bolivia's of D-BO). Both trainers trained.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import User
from scoretrack.exchange.models import ImportJob
from scoretrack.finance.models import Contribution
from scoretrack.outcomes.models import Assessment, Kpi, KpiObservation, KpiSelection
from scoretrack.trainers.services import trainer_recommend
from scoretrack.training.models import ConsultingVisit

D = dt.date(2015, 6, 1)


def home(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def tile(html: str, code: str) -> str:
    """The text of the figure tile of indicator `code`."""
    found = re.search(rf'<li class="tile" data-code="{code}">(.*?)</li>', html, re.S)
    assert found, f"no tile {code}"
    return text(found.group(1))


def section(html: str, slug: str) -> str:
    found = re.search(rf'<section class="todo card" id="{slug}"(.*?)</section>', html, re.S)
    assert found, f"no section {slug}"
    return found.group(1)


# --- the defects of the issue --------------------------------------------------------


def test_a_trainer_no_longer_lands_on_the_programme_overview(world: SimpleNamespace) -> None:
    page = text(home(world.users["trainer"]))
    assert "Programme overview" not in page
    assert "country programmes" not in page
    assert "My enterprises" in page


def test_a_donor_no_longer_lands_on_zero_enterprises(world: SimpleNamespace) -> None:
    page = text(home(world.users["viewer"]))
    assert "0 enterprises" not in page
    assert "Programme overview" not in page
    assert "Programme report" in page


# --- trainer ---------------------------------------------------------------------------


@pytest.fixture
def kpi(world: SimpleNamespace) -> Kpi:
    return Kpi.objects.create(code="absenteeism", name="Absenteeism", unit="%", better="lower")


def test_the_trainer_home_lists_its_enterprises_and_their_work(
    world: SimpleNamespace, kpi: Kpi
) -> None:
    # Textil Andina has an old baseline (more than 6 months ago) and a KPI without values;
    # Muebles Sur no baseline at all.
    Assessment.objects.create(enterprise=world.E_BO1, kind="baseline", date=D)
    KpiSelection.objects.create(enterprise=world.E_BO1, kpi=kpi, selected_on=D, baseline=8)
    html = home(world.users["trainer"])
    mine = text(section(html, "my-enterprises"))
    assert "Textil Andina" in mine and "Muebles Sur" in mine and "Pesca Norte" not in mine
    # Never visited comes first; Muebles Sur was visited on 2015-06-01.
    assert "Next visit due: Textil Andina (never visited)" in text(html)
    todo = text(section(html, "assessments"))
    assert "Muebles Sur: no baseline assessment yet" in todo
    assert "Textil Andina: last assessed on 2015-06-01" in todo
    kpis = text(section(html, "kpi-months"))
    assert "Textil Andina: Absenteeism, no value since June 2015" in kpis
    # The trainer's figures: one SME trained (E-BO1 in D-BO; E-BO2 attended D-BO2,
    # which Ana does not teach), one participant.
    assert tile(html, "smes_trained").startswith("1 ")
    assert tile(html, "staff_trained").startswith("1 ")
    assert '<figure class="chart"' in html


def test_recent_work_leaves_the_trainers_lists(world: SimpleNamespace, kpi: Kpi, day: Any) -> None:
    today = dt.date.today()
    this_month = today.replace(day=1)
    for firm in (world.E_BO1, world.E_BO2):
        Assessment.objects.create(enterprise=firm, kind="baseline", date=today)
        ConsultingVisit.objects.create(enterprise=firm, trainer=world.T_BO, date=today)
    KpiSelection.objects.create(enterprise=world.E_BO1, kpi=kpi, selected_on=D)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    KpiObservation.objects.create(enterprise=world.E_BO1, kpi=kpi, month=last_month, value=5)
    html = home(world.users["trainer"])
    assert "Nothing to do." in section(html, "assessments")
    assert "Nothing to do." in section(html, "kpi-months")


# --- enterprise ------------------------------------------------------------------------


def test_the_enterprise_home_shows_its_plan_and_its_kpis(world: SimpleNamespace, kpi: Kpi) -> None:
    KpiSelection.objects.create(
        enterprise=world.E_BO1, kpi=kpi, selected_on=D, baseline=8, target=4
    )
    KpiObservation.objects.create(enterprise=world.E_BO1, kpi=kpi, month=D, value=6)
    html = home(world.users["enterprise"])
    plan = text(section(html, "plan"))
    assert "5S" in plan
    kpis = text(section(html, "kpis"))
    assert "Absenteeism" in kpis
    assert re.search(r"Absenteeism % 8 4 6 June 2015", kpis), kpis
    assert "Pesca Norte" not in text(html)
    assert '<figure class="chart"' in html


# --- partner ---------------------------------------------------------------------------


def test_the_partner_home_shows_its_deliveries_and_money(world: SimpleNamespace) -> None:
    Contribution.objects.create(
        country=world.BO,
        date=D,
        delivery=world.D_BO,
        organisation=world.P_BO,
        source="sme_fee",
        amount=30,
        currency="USD",
    )
    html = home(world.users["partner"])
    assert tile(html, "deliveries").startswith("1 ")
    # Its delivery's one enrolment (E-BO1), not D-BO2's nor Peru's.
    assert tile(html, "enrolments").startswith("1 ")
    assert tile(html, "smes_trained").startswith("1 ")
    assert tile(html, "staff_trained").startswith("1 ")
    # Its delivery's cost (100) only, not Peru's; the fee of its delivery (30), not the
    # lead buyer's sponsorship of Bolivia.
    assert tile(html, "direct_costs_usd").startswith("100 ")
    assert tile(html, "contributions_usd").startswith("30 ")
    assert "of which SME fees: 30 USD" in tile(html, "contributions_usd")
    assert "D-BO" in text(section(html, "my-deliveries"))
    assert "D-PE" not in text(html)


# --- country team and HQ -----------------------------------------------------------------


def test_the_country_team_home_queues_its_work(world: SimpleNamespace) -> None:
    ImportJob.objects.create(
        user=world.users["country"],
        file_name="bad.xlsx",
        path="",
        size=1,
        state="failed",
        error="sheet enterprises: bad country",
    )
    ImportJob.objects.create(
        user=world.users["global"], file_name="other.xlsx", path="", size=1, state="failed"
    )
    html = home(world.users["country"])
    # Ana (Bolivia, trained) is to recommend; Luis is Peru's.
    queue = section(html, "to-recommend")
    assert "Ana" in text(queue) and "Luis" not in text(queue)
    assert 'name="step" value="recommend"' in queue
    missing = text(section(html, "missing-data"))
    assert "Textil Andina" in missing and "Pesca Norte" not in missing
    assert "no sector" in missing and "no baseline assessment" in missing
    imports = text(section(html, "failed-imports"))
    assert "bad.xlsx" in imports and "other.xlsx" not in imports
    # Bolivia's figures: two SMEs trained (E-BO1, E-BO2), two participants.
    assert tile(html, "smes_trained").startswith("2 ")
    assert tile(html, "staff_trained").startswith("2 ")


def test_hq_home_queues_the_certifications_to_approve(world: SimpleNamespace) -> None:
    trainer_recommend(trainer=world.T_BO, user=world.users["country"], date=dt.date.today())
    html = home(world.users["global"])
    queue = section(html, "to-approve")
    assert "Ana" in text(queue) and "Luis" not in text(queue)
    assert 'name="step" value="approve"' in queue
    assert tile(html, "smes_trained").startswith("3 ")
    # Ana is recommended, no longer to recommend.
    assert "Ana" not in text(section(html, "to-recommend"))


def test_the_queue_recommends_then_approves_and_comes_back_home(
    world: SimpleNamespace,
) -> None:
    url = reverse("trainers:trainer-certification", args=[world.T_BO.pk])
    country = Client()
    country.force_login(world.users["country"])
    response = country.post(url, {"step": "recommend", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert world.T_BO.status() == "recommended"
    hq = Client()
    hq.force_login(world.users["global"])
    response = hq.post(url, {"step": "approve", "next": "https://evil.example/"})
    assert response["Location"] == reverse("trainers:trainer-detail", args=[world.T_BO.pk])
    assert world.T_BO.status() == "certified"
    assert "Ana" not in text(section(home(world.users["global"]), "to-approve"))


# --- aggregates-only roles --------------------------------------------------------------


def test_the_lead_buyer_home_is_aggregated_and_protected(world: SimpleNamespace) -> None:
    html = home(world.users["lead_buyer"])
    page = text(html)
    # Two suppliers trained: fewer than the 5 firms a figure may rest on.
    assert "hidden" in tile(html, "smes_trained")
    assert "Textil Andina" not in page and "Pesca Norte" not in page
    assert "Your supplier base" in page
    assert "disclosure" in html


def test_the_donor_home_links_the_reports(world: SimpleNamespace) -> None:
    html = home(world.users["viewer"])
    assert reverse("reports:programme") in html
    assert reverse("reports:country", args=["BO"]) in html
    assert reverse("reports:country", args=["PE"]) in html
    assert "hidden" in tile(html, "smes_trained")  # three firms in all
    assert '<figure class="chart"' in html


def test_a_user_without_a_role_gets_a_plain_home(world: SimpleNamespace) -> None:
    page = text(home(world.users["nobody"]))
    assert "no role yet" in page


@pytest.mark.parametrize("role", ["global", "country", "trainer", "enterprise", "partner"])
def test_a_homes_queries_do_not_grow_with_its_lists(world: SimpleNamespace, role: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoretrack.enterprises.models import Enterprise
    from scoretrack.trainers.models import Milestone, Trainer

    def queries() -> int:
        client = Client()
        client.force_login(world.users[role])
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    queries()  # the first request after a change brings derived rows up to date
    before = queries()
    for n in range(3):
        trainer = Trainer.objects.create(key=f"T{n}", name=f"T {n}", sex="male", country=world.BO)
        Milestone.objects.create(trainer=trainer, milestone="trained", date=D)
        firm = Enterprise.objects.create(key=f"E{n}", name=f"Firm {n}", country=world.BO)
        ConsultingVisit.objects.create(enterprise=firm, trainer=world.T_BO, date=D)
    queries()
    assert queries() == before
