"""The improvement plan's initiatives and worker survey answers of an enterprise:
created, changed and deleted by the firm side, listed on the enterprise page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown
from scoretrack.outcomes.models import Initiative, WorkerSurveyAnswer

PLAN = {
    "title": "Kaizen corner",
    "category": "Workplace cooperation",
    "gender_related": "on",
    "status": "in_progress",
    "started_on": "2024-02-01",
    "completed_on": "",
    "cost_usd": "150.50",
    "saving_usd": "1200",
}
ANSWER = {
    "wave": "before",
    "date": "2024-01-15",
    "respondent": "R1",
    "sex": "female",
    "question": "I can raise a problem with my supervisor",
    "answer": "2",
}


@pytest.fixture
def andina_user(page_world: SimpleNamespace, login: Callable[..., Client]) -> Client:
    return login("enterprise", enterprise=page_world.andina)


def detail(enterprise: Any) -> str:
    return reverse("enterprises:enterprise-detail", args=[enterprise.pk])


# --- initiatives ------------------------------------------------------------------


def test_an_enterprise_adds_an_initiative_to_its_plan(
    andina_user: Client, page_world: SimpleNamespace
) -> None:
    url = reverse("outcomes:initiative-create", args=[page_world.andina.pk])
    response = andina_user.post(url, {**PLAN, "module": page_world.m1.pk})
    assert response.status_code == 302
    assert response.url == f"/enterprises/{page_world.andina.pk}/#improvement-plan"
    item = Initiative.objects.get()
    assert (item.enterprise, item.title, item.module, item.gender_related, item.status) == (
        page_world.andina,
        "Kaizen corner",
        page_world.m1,
        True,
        "in_progress",
    )
    assert (item.started_on, item.cost_usd, item.saving_usd) == (
        dt.date(2024, 2, 1),
        Decimal("150.50"),
        Decimal("1200.00"),
    )
    page = andina_user.get(detail(page_world.andina)).content.decode()
    plan = page.split('id="improvement-plan"')[1].split("</table>")[0]
    assert "Kaizen corner" in plan and "150.50" in plan and "1,200.00" in plan


def test_an_initiative_is_edited_and_deleted(
    andina_user: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        item = Initiative.objects.create(enterprise=page_world.andina, title="Kaizen corner")
    edit = reverse("outcomes:initiative-edit", args=[item.pk])
    data = as_shown(andina_user, edit)
    data.update(status=["done"], started_on=["2024-02-01"], completed_on=["2024-05-31"])
    assert andina_user.post(edit, data).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("done", dt.date(2024, 5, 31))
    delete = reverse("outcomes:initiative-delete", args=[item.pk])
    assert andina_user.post(delete, as_shown(andina_user, delete)).status_code == 302
    assert not Initiative.objects.exists()


@pytest.mark.parametrize(
    "values,field",
    [
        ({"completed_on": "2024-01-15"}, "completed_on"),  # before its start (1 Feb)
        ({"cost_usd": "-1"}, "cost_usd"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_initiative_is_refused_at_its_field(
    andina_user: Client, page_world: SimpleNamespace, values: dict, field: str
) -> None:
    url = reverse("outcomes:initiative-create", args=[page_world.andina.pk])
    response = andina_user.post(url, {**PLAN, **values})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Initiative.objects.exists()


def test_an_enterprise_cannot_touch_another_firms_plan(
    andina_user: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        other = Initiative.objects.create(enterprise=page_world.sol, title="Ovens")
    assert (
        andina_user.post(
            reverse("outcomes:initiative-create", args=[page_world.sol.pk]), PLAN
        ).status_code
        == 404
    )
    edit = reverse("outcomes:initiative-edit", args=[other.pk])
    assert andina_user.post(edit, PLAN).status_code == 404
    assert Initiative.objects.get().title == "Ovens"


@pytest.mark.parametrize("role", ["viewer", "lead_buyer"])
def test_aggregate_only_roles_cannot_write_a_plan(
    login: Callable[..., Client], page_world: SimpleNamespace, role: str
) -> None:
    client = login(role, **({"organisation": page_world.buyer} if role == "lead_buyer" else {}))
    url = reverse("outcomes:initiative-create", args=[page_world.andina.pk])
    assert client.post(url, PLAN).status_code == 404
    assert not Initiative.objects.exists()


def test_a_partner_plans_for_the_firms_it_trains_and_another_country_sees_none(
    login: Callable[..., Client], page_world: SimpleNamespace, admin: Any
) -> None:
    """A partner writes plans (FIRM_SIDE) of the firms it trains; a Peru team sees
    no Bolivian firm at all."""
    with acting_as(admin):
        Initiative.objects.create(enterprise=page_world.andina, title="Kaizen corner")
    partner = login("partner", organisation=page_world.cainco)
    page = partner.get(detail(page_world.andina)).content.decode()
    assert "Add an initiative" in page and "Kaizen corner" in page
    peru = login("country_team", country=page_world.pe)
    assert peru.get(detail(page_world.andina)).status_code == 404


# --- worker surveys --------------------------------------------------------------


def test_an_enterprise_enters_survey_answers_and_sees_them_by_wave_and_sex(
    andina_user: Client, page_world: SimpleNamespace
) -> None:
    url = reverse("outcomes:survey-create", args=[page_world.andina.pk])
    response = andina_user.post(url, ANSWER)
    assert response.status_code == 302
    assert response.url == reverse("outcomes:survey-list", args=[page_world.andina.pk])
    andina_user.post(url, {**ANSWER, "question": "I know the OSH rules", "answer": "3"})
    andina_user.post(url, {**ANSWER, "respondent": "R2", "sex": "male", "answer": "4"})
    andina_user.post(url, {**ANSWER, "wave": "after", "date": "2024-07-01", "answer": "5"})
    assert WorkerSurveyAnswer.objects.count() == 4
    page = andina_user.get(detail(page_world.andina)).content.decode()
    section = page.split('id="surveys"')[1].split("</table>")[0]
    rows = [row.split("</tr>")[0] for row in section.split("<tr>")[2:]]
    cells = [[c.split(">", 1)[1].split("<")[0].strip() for c in r.split("<t")[1:]] for r in rows]
    # Before: one woman answering 2 and 3 (mean 2.50), one man answering 4; after: 5.
    assert cells == [
        ["Before", "Women", "1", "2", "2.50"],
        ["Before", "Men", "1", "1", "4.00"],
        ["After", "Women", "1", "1", "5.00"],
    ]
    listing = andina_user.get(response.url).content.decode()
    assert listing.count("/edit/") == 4


def test_an_answer_outside_one_to_five_is_refused_at_the_answer(
    andina_user: Client, page_world: SimpleNamespace
) -> None:
    url = reverse("outcomes:survey-create", args=[page_world.andina.pk])
    response = andina_user.post(url, {**ANSWER, "answer": "6"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["answer"]
    assert not WorkerSurveyAnswer.objects.exists()


def test_a_survey_answer_is_edited_and_deleted(
    andina_user: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        answer = WorkerSurveyAnswer.objects.create(
            enterprise=page_world.andina,
            wave="before",
            date=dt.date(2024, 1, 15),
            respondent="R1",
            question="Q1",
            answer=2,
        )
    edit = reverse("outcomes:survey-edit", args=[answer.pk])
    data = as_shown(andina_user, edit)
    data["answer"] = ["4"]
    assert andina_user.post(edit, data).status_code == 302
    answer.refresh_from_db()
    assert answer.answer == 4
    delete = reverse("outcomes:survey-delete", args=[answer.pk])
    assert andina_user.post(delete, as_shown(andina_user, delete)).status_code == 302
    assert not WorkerSurveyAnswer.objects.exists()


def test_another_firms_survey_is_not_found(
    andina_user: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        other = WorkerSurveyAnswer.objects.create(
            enterprise=page_world.sol,
            wave="before",
            date=dt.date(2024, 1, 15),
            respondent="R1",
            question="Q1",
            answer=2,
        )
    assert (
        andina_user.get(reverse("outcomes:survey-list", args=[page_world.sol.pk])).status_code
        == 404
    )
    assert (
        andina_user.post(reverse("outcomes:survey-edit", args=[other.pk]), ANSWER).status_code
        == 404
    )
    assert (
        andina_user.post(
            reverse("outcomes:survey-create", args=[page_world.sol.pk]), ANSWER
        ).status_code
        == 404
    )
