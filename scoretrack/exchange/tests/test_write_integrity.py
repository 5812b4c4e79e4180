"""No write escapes its scope or breaks a record's rules, whatever the path.

Each defect found by probing the system as its users (issue 15) is tried here
through every path that has it: the pages, a workbook import and the API. The
world is scoretrack/conftest.py's: Bolivia (partner P-BO, trainer T-BO, firms
E-BO1 and E-BO2) and Peru (partner P-PE, trainer T-PE, firm E-PE1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.exchange.services import workbook_import
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.trainers.services import trainer_certify, trainer_recommend
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant

Sheets = dict[str, list[list[Any]]]


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    call = getattr(client, method)
    return call(url, body, content_type="application/json")


def imported(xlsx: Callable[[Sheets], Path], user: Any, sheets: Sheets) -> list[str]:
    report = workbook_import(source=xlsx(sheets), user=user)
    return [problem.line() for problem in report.problems]


# --- scope on write: the old and the new place ----------------------------------------


def test_a_partner_cannot_move_its_delivery_abroad_through_the_api(world: SimpleNamespace) -> None:
    client = as_user(world.users["partner"])
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    version = client.get(url).json()["version"]
    response = api(client, "patch", url, {"version": version, "country": "PE"})
    assert response.status_code == 403
    assert response.json()["detail"][0]["message"] == (
        "outside your scope: your role may not change this delivery"
    )
    world.D_BO.refresh_from_db()
    assert world.D_BO.country == world.BO


def test_a_partner_cannot_move_its_delivery_abroad_on_the_page(world: SimpleNamespace) -> None:
    client = as_user(world.users["partner"])
    url = f"/deliveries/{world.D_BO.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(country=world.PE.pk, trainers=[], organiser=world.P_BO.pk)
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    assert Delivery.objects.get(pk=world.D_BO.pk).country == world.BO


def test_a_partner_creates_enterprises_only_in_its_country(world: SimpleNamespace) -> None:
    client = as_user(world.users["partner"])
    response = api(
        client, "post", "/api/v1/enterprises", {"key": "X", "name": "X", "country": "PE"}
    )
    assert response.status_code == 403
    response = api(
        client, "post", "/api/v1/enterprises", {"key": "X", "name": "X", "country": "BO"}
    )
    assert response.status_code == 201
    assert list(Enterprise.objects.filter(key="X").values_list("country__code", flat=True)) == [
        "BO"
    ]


def test_a_partner_cannot_import_a_delivery_abroad(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "deliveries": [
            ["key", "country", "module", "organiser", "start_date", "trainers"],
            ["D-NEW", "PE", "M1", "P-BO", "2015-07-01", ""],
        ]
    }
    problems = imported(xlsx, world.users["partner"], sheets)
    assert problems == ["deliveries:2:: outside your scope: your role may not create this delivery"]
    assert not Delivery.objects.filter(key="D-NEW").exists()


def test_an_enterprise_user_cannot_move_itself_abroad(world: SimpleNamespace) -> None:
    client = as_user(world.users["enterprise"])
    url = f"/api/v1/enterprises/{world.E_BO1.pk}"
    item = client.get(url).json()
    response = api(client, "put", url, {**item, "country": "PE"})
    assert response.status_code == 403
    response = api(client, "put", url, {**item, "name": "Textil Andina SA"})
    assert response.status_code == 200  # its own facts it keeps up to date
    world.E_BO1.refresh_from_db()
    assert (world.E_BO1.country, world.E_BO1.name) == (world.BO, "Textil Andina SA")


def test_an_enterprise_user_cannot_move_itself_abroad_on_the_page(world: SimpleNamespace) -> None:
    client = as_user(world.users["enterprise"])
    url = f"/enterprises/{world.E_BO1.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(country=world.PE.pk, lead_buyers=[])
    client.post(url, data)
    assert Enterprise.objects.get(pk=world.E_BO1.pk).country == world.BO


# --- certification: recommend (country team), then approve (HQ) -----------------------


def test_a_country_team_cannot_certify_through_the_api(world: SimpleNamespace) -> None:
    client = as_user(world.users["country"])
    for kind in ("certified", "recommended"):
        body = {"trainer": "T-BO", "milestone": kind, "date": "2016-01-01"}
        response = api(client, "post", "/api/v1/trainer_milestones", body)
        assert response.status_code == 400
        assert response.json()["detail"] == [
            {
                "field": "milestone",
                "message": "recommended and certified are set by the certification steps "
                "only: the country team recommends the trainer on its page, then HQ approves",
            }
        ]
    assert not world.T_BO.milestones.exclude(milestone="trained").exists()


def test_a_country_team_cannot_certify_with_a_workbook(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "trainer_milestones": [
            ["trainer", "milestone", "date"],
            ["T-BO", "certified", "2016-01-01"],
        ]
    }
    problems = imported(xlsx, world.users["country"], sheets)
    assert len(problems) == 1
    assert problems[0].startswith("trainer_milestones:2:milestone: recommended and certified")
    assert not world.T_BO.milestones.filter(milestone="certified").exists()


def test_a_country_team_cannot_certify_on_the_milestone_form(world: SimpleNamespace) -> None:
    client = as_user(world.users["country"])
    url = f"/trainers/{world.T_BO.pk}/milestones/add/"
    response = client.post(url, {"milestone": "certified", "date": "2016-01-01"})
    assert response.status_code == 200
    assert not world.T_BO.milestones.filter(milestone="certified").exists()


def test_the_two_steps_still_certify(world: SimpleNamespace) -> None:
    trainer_recommend(trainer=world.T_BO, user=world.users["country"], date=dt.date(2016, 1, 1))
    trainer_certify(trainer=world.T_BO, user=world.users["global"], date=dt.date(2016, 2, 1))
    kinds = list(world.T_BO.milestones.order_by("date").values_list("milestone", flat=True))
    assert kinds == ["trained", "recommended", "certified"]


def test_hq_may_load_past_certifications_with_a_workbook(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "trainer_milestones": [
            ["trainer", "milestone", "date"],
            ["T-BO", "certified", "2016-01-01"],
        ]
    }
    assert imported(xlsx, world.users["global"], sheets) == []
    assert world.T_BO.milestones.filter(milestone="certified").count() == 1


# --- typed references and consistency ---------------------------------------------------


@pytest.fixture
def union(world: SimpleNamespace) -> Organisation:
    return Organisation.objects.create(key="TU", name="Union", country=world.BO, type="trade_union")


def test_a_trade_union_is_no_lead_buyer_in_the_api(world: SimpleNamespace, union: Any) -> None:
    client = as_user(world.users["global"])
    url = f"/api/v1/enterprises/{world.E_BO2.pk}"
    version = client.get(url).json()["version"]
    response = api(client, "patch", url, {"version": version, "lead_buyers": ["TU"]})
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "lead_buyers", "message": "TU is a trade union, not a lead buyer"}
    ]
    assert not LeadBuyerLink.objects.filter(enterprise=world.E_BO2).exists()


def test_a_trade_union_is_no_lead_buyer_in_a_workbook(
    world: SimpleNamespace, union: Any, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "enterprises": [
            ["key", "name", "country", "lead_buyers"],
            ["E-BO2", "Muebles Sur", "BO", "LB;TU"],
        ]
    }
    assert imported(xlsx, world.users["global"], sheets) == [
        "enterprises:2:lead_buyers: TU is a trade union, not a lead buyer (value 'LB;TU')"
    ]
    assert not LeadBuyerLink.objects.filter(enterprise=world.E_BO2).exists()


def test_a_trade_union_is_no_lead_buyer_for_a_service(world: SimpleNamespace, union: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        LeadBuyerLink.objects.create(enterprise=world.E_BO2, lead_buyer=union)


def test_a_trainer_belongs_to_an_organisation_of_its_country(world: SimpleNamespace) -> None:
    client = as_user(world.users["global"])
    url = f"/api/v1/trainers/{world.T_PE.pk}"
    version = client.get(url).json()["version"]
    response = api(client, "patch", url, {"version": version, "organisation": "P-BO"})
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {
            "field": "organisation",
            "message": "the organisation is in BO, the trainer in PE: choose one of the "
            "trainer's country or a global one",
        }
    ]
    world.T_PE.refresh_from_db()
    assert world.T_PE.organisation is None


def test_a_trainer_of_another_country_in_a_workbook(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "trainers": [
            ["key", "name", "sex", "country", "organisation"],
            ["T-NEW", "Rosa", "female", "PE", "P-BO"],
        ]
    }
    problems = imported(xlsx, world.users["global"], sheets)
    assert problems == [
        "trainers:2:organisation: the organisation is in BO, the trainer in PE: choose one of "
        "the trainer's country or a global one (value 'P-BO')"
    ]
    assert not Trainer.objects.filter(key="T-NEW").exists()


def test_a_delivery_is_staffed_by_trainers_of_its_country(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {
        "deliveries": [
            ["key", "country", "module", "start_date", "trainers"],
            ["D-PE2", "PE", "M1", "2015-07-01", "T-PE;T-BO"],
        ]
    }
    problems = imported(xlsx, world.users["global"], sheets)
    assert problems == [
        "deliveries:2:trainers: T-BO: not a trainer of the delivery's country programme "
        "(value 'T-PE;T-BO')"
    ]
    client = as_user(world.users["global"])
    body = {"key": "D-PE2", "country": "PE", "module": "M1", "start_date": "2015-07-01"}
    response = api(client, "post", "/api/v1/deliveries", {**body, "trainers": ["T-BO"]})
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "trainers"
    assert not Delivery.objects.filter(key="D-PE2").exists()


NOT_ENROLLED = "the enterprise is not enrolled in this delivery (enrol it first)"


def test_a_participant_of_an_enterprise_not_enrolled(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    # E-BO2 is enrolled in D-BO2, not in D-BO.
    client = as_user(world.users["global"])
    body = {"delivery": "D-BO", "enterprise": "E-BO2", "sex": "male", "role": "worker"}
    response = api(client, "post", "/api/v1/participants", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "enterprise", "message": f"a participant: {NOT_ENROLLED}"}
    ]
    sheets: Sheets = {
        "participants": [
            ["delivery", "enterprise", "sex", "role"],
            ["D-BO", "E-BO2", "male", "worker"],
        ]
    }
    assert imported(xlsx, world.users["global"], sheets) == [
        f"participants:2:enterprise: a participant: {NOT_ENROLLED} (value 'E-BO2')"
    ]
    page = as_user(world.users["global"])
    page.post(
        f"/deliveries/{world.D_BO.pk}/participants/add/",
        {"enterprise": world.E_BO2.pk, "sex": "male", "role": "worker"},
    )
    assert Participant.objects.filter(delivery=world.D_BO).count() == 1  # the world's


def test_a_visit_of_a_delivery_the_enterprise_is_not_enrolled_in(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    client = as_user(world.users["global"])
    body = {"enterprise": "E-BO2", "trainer": "T-BO", "date": "2015-08-01", "delivery": "D-BO"}
    response = api(client, "post", "/api/v1/visits", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "enterprise", "message": f"a visit of a delivery: {NOT_ENROLLED}"}
    ]
    sheets: Sheets = {
        "visits": [
            ["enterprise", "trainer", "date", "delivery"],
            ["E-BO2", "T-BO", "2015-08-01", "D-BO"],
        ]
    }
    assert imported(xlsx, world.users["global"], sheets) == [
        f"visits:2:enterprise: a visit of a delivery: {NOT_ENROLLED} (value 'E-BO2')"
    ]
    page = as_user(world.users["global"])
    page.post(
        f"/deliveries/{world.D_BO.pk}/visits/add/",
        {"enterprise": world.E_BO2.pk, "trainer": world.T_BO.pk, "date": "2015-08-01"},
    )
    assert ConsultingVisit.objects.filter(delivery=world.D_BO).count() == 0


def test_a_visit_cannot_be_dated_in_the_future(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    ahead = (timezone.localdate() + dt.timedelta(days=5 * 365)).isoformat()
    today = timezone.localdate().isoformat()
    reason = f"a visit cannot be dated after today ({today})"
    client = as_user(world.users["global"])
    body = {"enterprise": "E-BO2", "trainer": "T-BO", "date": ahead}
    response = api(client, "post", "/api/v1/visits", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"field": "date", "message": reason}]
    sheets: Sheets = {"visits": [["enterprise", "trainer", "date"], ["E-BO2", "T-BO", ahead]]}
    assert imported(xlsx, world.users["global"], sheets) == [
        f"visits:2:date: {reason} (value '{ahead}')"
    ]
    page = as_user(world.users["global"])
    response = page.post(
        f"/deliveries/{world.D_BO2.pk}/visits/add/",
        {"enterprise": world.E_BO2.pk, "trainer": world.T_BO.pk, "date": ahead},
    )
    assert reason in response.content.decode()
    assert ConsultingVisit.objects.count() == 1  # the world's


def test_an_enrolment_of_a_firm_of_another_country(world: SimpleNamespace) -> None:
    client = as_user(world.users["global"])
    body = {"delivery": "D-BO", "enterprise": "E-PE1"}
    response = api(client, "post", "/api/v1/enrolments", body)
    assert response.status_code == 400
    assert not Enrolment.objects.filter(delivery=world.D_BO, enterprise=world.E_PE1).exists()


def test_a_lead_buyer_does_not_organise_a_delivery(world: SimpleNamespace) -> None:
    client = as_user(world.users["global"])
    body = {"key": "D-LB", "country": "BO", "module": "M1", "start_date": "2015-07-01"}
    response = api(client, "post", "/api/v1/deliveries", {**body, "organiser": "LB"})
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "organiser", "message": "a lead buyer / multinational does not organise training"}
    ]


def test_a_workbook_cannot_make_a_lead_buyer_or_a_donor_organise_a_delivery(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    Organisation.objects.create(key="FUND", name="A Fund", type="donor")
    sheets: Sheets = {
        "deliveries": [
            ["key", "country", "module", "organiser", "start_date"],
            ["D-LB", "BO", "M1", "LB", "2015-07-01"],
            ["D-FUND", "BO", "M1", "FUND", "2015-07-01"],
        ]
    }
    assert imported(xlsx, world.users["global"], sheets) == [
        "deliveries:2:organiser: a lead buyer / multinational does not organise training"
        " (value 'LB')",
        "deliveries:3:organiser: a donor does not organise training (value 'FUND')",
    ]
    assert not Delivery.objects.filter(key__in=["D-LB", "D-FUND"]).exists()


def test_a_rule_is_checked_for_a_batch_in_one_query(
    world: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    batch = [
        Participant(delivery=world.D_BO, enterprise=world.E_BO1, sex="male", role="worker"),
        Participant(delivery=world.D_BO, enterprise=world.E_BO2, sex="male", role="worker"),
        Participant(delivery=world.D_PE, enterprise=world.E_PE1, sex="male", role="worker"),
    ]
    with django_assert_num_queries(1):
        broken = [(v.position, v.field) for v in Participant.rules(batch)]
    assert broken == [(1, "enterprise")]


def test_milestone_rules_name_the_field(world: SimpleNamespace) -> None:
    future = timezone.localdate() + dt.timedelta(days=1)
    broken = list(
        Milestone.rules([Milestone(trainer=world.T_BO, milestone="trained", date=future)])
    )
    assert [(v.position, v.field) for v in broken] == [(0, "date")]


# --- the same defects through the paths not tried above ----------------------------------


def test_a_partner_cannot_import_or_page_an_enterprise_abroad(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {"enterprises": [["key", "name", "country"], ["E-CN", "Far Away", "PE"]]}
    assert imported(xlsx, world.users["partner"], sheets) == [
        "enterprises:2:: outside your scope: your role may not create this enterprise"
    ]
    client = as_user(world.users["partner"])
    response = client.post(
        "/enterprises/new/", {"key": "E-CN", "name": "Far Away", "country": world.PE.pk}
    )
    assert response.status_code in (200, 403)  # the form again with its error, or refused
    assert not Enterprise.objects.filter(key="E-CN").exists()


def test_an_enterprise_user_cannot_import_itself_abroad(
    world: SimpleNamespace, xlsx: Callable[[Sheets], Path]
) -> None:
    sheets: Sheets = {"enterprises": [["key", "name", "country"], ["E-BO1", "Textil Andina", "PE"]]}
    problems = imported(xlsx, world.users["enterprise"], sheets)
    assert problems == [
        "enterprises:2:: outside your scope: your role may not create this enterprise"
    ]  # in Peru no E-BO1 exists: it would be a new firm, which its role may not create
    assert Enterprise.objects.get(pk=world.E_BO1.pk).country == world.BO


def test_a_trade_union_is_no_lead_buyer_on_the_page(world: SimpleNamespace, union: Any) -> None:
    from scoretrack.lib.tests.pages import as_shown

    client = as_user(world.users["global"])
    url = f"/enterprises/{world.E_BO2.pk}/edit/"
    response = client.post(url, {**as_shown(client, url), "lead_buyers": [union.pk]})
    assert response.status_code == 200  # the form again, with its error
    assert not LeadBuyerLink.objects.filter(enterprise=world.E_BO2).exists()


def test_a_trainer_of_another_country_on_the_page(world: SimpleNamespace) -> None:
    from scoretrack.lib.tests.pages import as_shown

    client = as_user(world.users["global"])
    url = f"/trainers/{world.T_PE.pk}/edit/"
    response = client.post(url, {**as_shown(client, url), "organisation": world.P_BO.pk})
    assert response.status_code == 200
    assert Trainer.objects.get(pk=world.T_PE.pk).organisation is None


def test_a_delivery_staffed_from_another_country_on_the_page(world: SimpleNamespace) -> None:
    from scoretrack.lib.tests.pages import as_shown

    client = as_user(world.users["global"])
    url = f"/deliveries/{world.D_PE.pk}/edit/"
    response = client.post(url, {**as_shown(client, url), "trainers": [world.T_BO.pk]})
    assert response.status_code == 200
    assert list(world.D_PE.trainers.values_list("key", flat=True)) == ["T-PE"]
