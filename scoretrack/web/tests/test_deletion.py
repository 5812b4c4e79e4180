"""No silent cascade: a record others depend on is refused deletion with the list of
them, or deleted with them as one change (a deletion set) listed before it happens;
one restore brings all of it back, links included.

Two records of the scoping world (scoretrack/conftest.py), made busy:

The delivery D-BO, organised by Cainco (P-BO):
  enrolled: Textil Andina E-BO1 (world), Muebles Sur E-BO2, Cafe Oro E-BO3  3 enrolments
  participants: 1 of E-BO1 (world), Eva and Raul of E-BO2, Lia and Tom of E-BO3
                                                                          5 participants
  trainers: Ana T-BO (world), Rosa T-BO2                         2 trainer links (its own)
  on it: the world's visit to E-BO2 by Ana, a visit to E-BO3 by Rosa    2 consulting visits
         the world's Bolivian cost COST_BO                        1 direct training cost
         the lead buyer's contribution CONTRIB_LB                          1 contribution
Deleting it takes 3 enrolments and 5 participants and unlinks 2 visits, 1 cost and 1
contribution. SMEs trained in Bolivia: E-BO1, E-BO2 and E-BO3 (3); without D-BO only
E-BO2, through D-BO2 (1).

The enterprise Quinua Real E-BO9 (never enrolled):
  2 consulting visits by Ana (2020-02-01, 2020-03-01)
  2 assessments: baseline 2020-01-10 (P1 no, P2 yes), progress 2021-01-10 (P1 yes, P2 yes)
                                                                       4 practice answers
  6 KPI observations of K1 (higher is better), 2020-01 to 2020-06: 10 12 15 14 16 18
  1 initiative, 2 lead buyer links (BigBuyer LB, MegaMart LB2)
In Bolivia, practices newly implemented: P1 of its 2 pairs (50 %); KPIs improved (six
months or more): K1, 10 -> 18 (100 %).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.indicators.tests.conftest import Ask
from scoretrack.outcomes.models import (
    Assessment,
    Initiative,
    Kpi,
    KpiObservation,
    Practice,
    PracticeAnswer,
)
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant
from scoretrack.web.deletion import dependents_of
from scoretrack.web.models import DeletionSet

DELIVERY_IN_USE = (
    "3 enrolments and 5 participants would be deleted with it; 2 consulting visits, "
    "1 contribution and 1 direct training cost would be unlinked from it"
)
FIRM_IN_USE = (
    "2 assessments, 2 consulting visits, 1 initiative, 6 KPI observations, "
    "2 lead buyer links and 4 practice answers would be deleted with it"
)
HINT = "; ?cascade=true deletes them too"
STAMPS = {"updated_at", "updated_by_id"}


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored(model: type[Model], **filters: Any) -> list[dict[str, Any]]:
    """The rows as stored, but for the stamps of the last change (a restore is one)."""
    rows = model.objects.filter(**filters).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in STAMPS} for row in rows]


@pytest.fixture
def busy_delivery(world: SimpleNamespace) -> SimpleNamespace:
    w = world
    w.E_BO3 = Enterprise.objects.create(key="E-BO3", name="Cafe Oro", country=w.BO)
    w.T_BO2 = Trainer.objects.create(
        key="T-BO2", name="Rosa", sex="female", country=w.BO, organisation=w.P_BO
    )
    w.D_BO.trainers.add(w.T_BO2)
    for firm, people in ((w.E_BO2, ["Eva", "Raul"]), (w.E_BO3, ["Lia", "Tom"])):
        Enrolment.objects.create(delivery=w.D_BO, enterprise=firm)
        for name, sex in zip(people, ["female", "male"], strict=True):
            Participant.objects.create(
                delivery=w.D_BO, enterprise=firm, name=name, sex=sex, role="worker"
            )
    w.VISIT.delivery = w.D_BO
    w.VISIT.save()
    w.VISIT2 = ConsultingVisit.objects.create(
        enterprise=w.E_BO3, trainer=w.T_BO2, delivery=w.D_BO, date=dt.date(2015, 7, 1)
    )
    w.CONTRIB_LB.delivery = w.D_BO
    w.CONTRIB_LB.save()
    return w


def delivery_state(w: SimpleNamespace) -> dict[str, Any]:
    linked = {"pk__in": [w.VISIT.pk, w.VISIT2.pk]}
    return {
        "delivery": stored(Delivery, pk=w.D_BO.pk),
        "enrolments": stored(Enrolment, delivery_id=w.D_BO.pk),
        "participants": stored(Participant, delivery_id=w.D_BO.pk),
        "trainers": sorted(
            Delivery.trainers.through.objects.filter(delivery_id=w.D_BO.pk).values_list(
                "trainer__key", flat=True
            )
        ),
        "visits": stored(ConsultingVisit, **linked),
        "cost": stored(DirectCost, pk=w.COST_BO.pk),
        "contribution": stored(Contribution, pk=w.CONTRIB_LB.pk),
    }


@pytest.fixture
def busy_firm(world: SimpleNamespace) -> SimpleNamespace:
    w = world
    w.E_BO9 = Enterprise.objects.create(key="E-BO9", name="Quinua Real", country=w.BO)
    w.LB2 = Organisation.objects.create(key="LB2", name="MegaMart", type="lead_buyer")
    for buyer in (w.LB, w.LB2):
        LeadBuyerLink.objects.create(enterprise=w.E_BO9, lead_buyer=buyer)
    for day in ("2020-02-01", "2020-03-01"):
        ConsultingVisit.objects.create(
            enterprise=w.E_BO9, trainer=w.T_BO, date=dt.date.fromisoformat(day)
        )
    p1 = Practice.objects.create(code="P1", name="5S")
    p2 = Practice.objects.create(code="P2", name="Quality circles")
    for kind, day, answers in (
        ("baseline", "2020-01-10", {p1: False, p2: True}),
        ("progress", "2021-01-10", {p1: True, p2: True}),
    ):
        assessment = Assessment.objects.create(
            enterprise=w.E_BO9, kind=kind, date=dt.date.fromisoformat(day)
        )
        for practice, in_place in answers.items():
            PracticeAnswer.objects.create(
                assessment=assessment, practice=practice, in_place=in_place
            )
    k1 = Kpi.objects.create(code="K1", name="Output", unit="n", better="higher")
    for month, value in enumerate(["10", "12", "15", "14", "16", "18"], start=1):
        KpiObservation.objects.create(
            enterprise=w.E_BO9, kpi=k1, month=dt.date(2020, month, 1), value=Decimal(value)
        )
    Initiative.objects.create(enterprise=w.E_BO9, title="Kaizen")
    return w


def firm_state(w: SimpleNamespace) -> dict[str, Any]:
    mine = {"enterprise_id": w.E_BO9.pk}
    return {
        "enterprise": stored(Enterprise, pk=w.E_BO9.pk),
        "links": stored(LeadBuyerLink, **mine),
        "visits": stored(ConsultingVisit, **mine),
        "assessments": stored(Assessment, **mine),
        "answers": stored(PracticeAnswer, assessment__enterprise_id=w.E_BO9.pk),
        "observations": stored(KpiObservation, **mine),
        "initiatives": stored(Initiative, **mine),
    }


def only_set() -> DeletionSet:
    (deletion,) = DeletionSet.objects.all()
    return deletion


def restore(client: Client, deletion: DeletionSet) -> str:
    response = client.post("/deleted/restore", {"set": str(deletion.pk)}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# --- the API ------------------------------------------------------------------------------


def test_the_api_refuses_to_delete_a_delivery_in_use_and_lists_what_depends_on_it(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    before = delivery_state(busy_delivery)
    response = admin_client.delete(f"/api/v1/deliveries/{busy_delivery.D_BO.pk}")
    assert response.status_code == 409
    assert response.json() == {
        "error": "in use",
        "detail": [{"field": None, "message": DELIVERY_IN_USE + HINT}],
    }
    assert delivery_state(busy_delivery) == before
    assert DeletionSet.objects.count() == 0


def test_the_dependents_of_a_delivery_are_counted_with_examples(
    busy_delivery: SimpleNamespace,
) -> None:
    found = [(d.effect, d.label, d.count) for d in dependents_of(busy_delivery.D_BO)]
    assert found == [
        ("deleted", "enrolments", 3),
        ("deleted", "participants", 5),
        ("unlinked", "consulting visits", 2),
        ("unlinked", "contribution", 1),
        ("unlinked", "direct training cost", 1),
    ]
    enrolments = dependents_of(busy_delivery.D_BO)[0]
    assert sorted(enrolments.examples) == [
        "Cafe Oro in D-BO",
        "Muebles Sur in D-BO",
        "Textil Andina in D-BO",
    ]


def test_with_cascade_the_delivery_and_its_dependents_go_as_one_deletion_set(
    busy_delivery: SimpleNamespace, admin: User, admin_client: Client
) -> None:
    w = busy_delivery
    d_bo = w.D_BO.pk
    response = admin_client.delete(f"/api/v1/deliveries/{d_bo}?cascade=true")
    assert response.status_code == 204
    assert not Delivery.objects.filter(pk=d_bo).exists()
    assert Enrolment.objects.filter(delivery_id=d_bo).count() == 0
    assert Participant.objects.filter(delivery_id=d_bo).count() == 0
    assert Delivery.trainers.through.objects.filter(delivery_id=d_bo).count() == 0
    for record in (w.VISIT, w.VISIT2, w.COST_BO, w.CONTRIB_LB):
        record.refresh_from_db()
        assert record.delivery_id is None
    deletion = only_set()
    assert (deletion.user, deletion.root_model, deletion.root_id) == (
        admin,
        "training.Delivery",
        d_bo,
    )
    assert deletion.root_name == "D-BO (M1, 2015-06-01)"
    items = deletion.items
    assert [i["model"] for i in items["deleted"]] == [
        "training.Delivery",
        *["training.Enrolment"] * 3,
        *["training.Participant"] * 5,
    ]
    assert sorted(r["values"]["trainer_id"] for r in items["rows"]) == sorted(
        [str(w.T_BO.pk), str(w.T_BO2.pk)]
    )
    assert [(i["model"], i["field"], i["value"]) for i in items["unlinked"]] == [
        *[("training.ConsultingVisit", "delivery", str(d_bo))] * 2,
        ("finance.Contribution", "delivery", str(d_bo)),
        ("finance.DirectCost", "delivery", str(d_bo)),
    ]
    # Every history row of the change carries the set: 9 deletions and 4 unlinks.
    written = {
        model: list(
            model.history.filter(history_change_reason=f"deletion set {deletion.pk}")
            .order_by("history_type")
            .values_list("history_type", "history_user__email")
        )
        for model in (Delivery, Enrolment, Participant, ConsultingVisit, DirectCost, Contribution)
    }
    admin_email = "hq@example.org"
    assert written == {
        Delivery: [("-", admin_email)],
        Enrolment: [("-", admin_email)] * 3,
        Participant: [("-", admin_email)] * 5,
        ConsultingVisit: [("~", admin_email)] * 2,
        DirectCost: [("~", admin_email)],
        Contribution: [("~", admin_email)],
    }
    assert w.VISIT.history.first().delivery_id is None


def test_one_restore_brings_the_delivery_back_with_its_dependents_links_and_figures(
    busy_delivery: SimpleNamespace, admin: User, admin_client: Client
) -> None:
    w = busy_delivery
    ask = Ask(admin)
    url = f"/api/v1/deliveries/{w.D_BO.pk}"
    before, item = delivery_state(w), admin_client.get(url).json()
    assert ask("smes_trained", country="BO") == 3
    assert admin_client.delete(url + "?cascade=true").status_code == 204
    assert ask("smes_trained", country="BO") == 1
    page = restore(admin_client, only_set())
    assert "Restored: delivery D-BO (M1, 2015-06-01)" in page
    assert delivery_state(w) == before
    assert delivery_state(w)["trainers"] == ["T-BO", "T-BO2"]
    again = admin_client.get(url).json()
    assert {**again, "version": None} == {**item, "version": None}
    assert ask("smes_trained", country="BO") == 3
    assert only_set().restored_by == admin


def test_restoring_one_record_of_a_set_brings_back_the_whole_set(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    w = busy_delivery
    before = delivery_state(w)
    admin_client.delete(f"/api/v1/deliveries/{w.D_BO.pk}?cascade=true")
    eva = Participant.history.get(name="Eva", history_type="-").id
    admin_client.post("/deleted/restore", {"model": "training.Participant", "id": str(eva)})
    assert delivery_state(w) == before


def test_a_restore_that_cannot_happen_fails_whole_and_says_why(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    w = busy_delivery
    admin_client.delete(f"/api/v1/deliveries/{w.D_BO.pk}?cascade=true")
    after_deletion = delivery_state(w)
    taken = Delivery.objects.create(
        key="D-BO", country=w.BO, module=w.D_BO2.module, start_date=dt.date(2016, 1, 1)
    )
    page = restore(admin_client, only_set())
    assert (
        "Not restored: the delivery D-BO (M1, 2015-06-01) cannot come back: "
        "another record now has its key"
    ) in page
    assert delivery_state(w) == after_deletion
    assert only_set().restored_at is None
    # The key is free again, but a visit it unlinked is linked elsewhere since.
    taken.delete()
    w.VISIT.refresh_from_db()
    w.VISIT.delivery = w.D_BO2
    w.VISIT.save()
    page = restore(admin_client, only_set())
    assert (
        "Not restored: the consulting visit Ana at Muebles Sur on 2015-06-01 it unlinked "
        "is linked to another delivery now"
    ) in page
    assert not Delivery.objects.filter(pk=w.D_BO.pk).exists()
    assert Participant.objects.filter(delivery_id=w.D_BO.pk).count() == 0


def test_a_partner_may_not_unlink_the_lead_buyers_contribution_a_country_team_may(
    busy_delivery: SimpleNamespace,
) -> None:
    url = f"/api/v1/deliveries/{busy_delivery.D_BO.pk}?cascade=true"
    response = client_of(busy_delivery.users["partner"]).delete(url)
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": [{"field": None, "message": "your role may not unlink 1 contribution"}],
    }
    assert Delivery.objects.filter(pk=busy_delivery.D_BO.pk).exists()
    assert client_of(busy_delivery.users["country"]).delete(url).status_code == 204
    assert only_set().user == busy_delivery.users["country"]


def test_the_api_refuses_to_delete_an_enterprise_in_use_and_lists_what_depends_on_it(
    busy_firm: SimpleNamespace, admin_client: Client
) -> None:
    before = firm_state(busy_firm)
    response = admin_client.delete(f"/api/v1/enterprises/{busy_firm.E_BO9.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == [{"field": None, "message": FIRM_IN_USE + HINT}]
    assert firm_state(busy_firm) == before


def test_an_enterprise_goes_with_its_dependents_and_comes_back_with_them_and_its_figures(
    busy_firm: SimpleNamespace, admin: User, admin_client: Client
) -> None:
    w = busy_firm
    ask = Ask(admin)
    url = f"/api/v1/enterprises/{w.E_BO9.pk}"
    before, item = firm_state(w), admin_client.get(url).json()
    assert item["lead_buyers"] == ["LB", "LB2"]
    assert ask("practice_newly_implemented_pct", country="BO") == 50.0
    assert ask("kpi_improved_pct", country="BO") == 100.0
    assert admin_client.delete(url + "?cascade=true").status_code == 204
    assert all(rows == [] for rows in firm_state(w).values())
    deletion = only_set()
    assert [i["model"] for i in deletion.items["deleted"]] == [
        "enterprises.Enterprise",
        *["outcomes.Assessment"] * 2,
        *["training.ConsultingVisit"] * 2,
        "outcomes.Initiative",
        *["outcomes.KpiObservation"] * 6,
        *["enterprises.LeadBuyerLink"] * 2,
        *["outcomes.PracticeAnswer"] * 4,
    ]
    assert (deletion.items["rows"], deletion.items["unlinked"]) == ([], [])
    assert ask("practice_newly_implemented_pct", country="BO") is None
    assert ask("kpi_improved_pct", country="BO") is None
    assert "Restored: enterprise Quinua Real" in restore(admin_client, deletion)
    assert firm_state(w) == before
    assert {**admin_client.get(url).json(), "version": None} == {**item, "version": None}
    assert ask("practice_newly_implemented_pct", country="BO") == 50.0
    assert ask("kpi_improved_pct", country="BO") == 100.0


def test_an_enterprise_with_enrolments_is_refused_even_with_cascade(
    world: SimpleNamespace, admin_client: Client
) -> None:
    response = admin_client.delete(f"/api/v1/enterprises/{world.E_BO1.pk}?cascade=true")
    assert response.status_code == 409
    assert response.json()["detail"] == [
        {
            "field": None,
            "message": "it is used by 1 enrolment and 1 participant (never deleted with it); "
            "delete or move them first",
        }
    ]
    assert Enterprise.objects.filter(pk=world.E_BO1.pk).exists()
    assert LeadBuyerLink.objects.filter(pk=world.LINK_BO.pk).exists()


def test_an_enterprise_user_may_not_delete_what_only_the_programme_records(
    busy_firm: SimpleNamespace,
) -> None:
    owner = User.objects.create_user(email="quinua@x.org", password="pw")
    RoleAssignment.objects.create(user=owner, role="enterprise", enterprise=busy_firm.E_BO9)
    response = client_of(owner).delete(f"/api/v1/enterprises/{busy_firm.E_BO9.pk}?cascade=true")
    assert response.status_code == 403
    assert response.json()["detail"] == [
        {
            "field": None,
            "message": "your role may not delete 2 assessments, 2 consulting visits, "
            "2 lead buyer links, 4 practice answers and 1 role assignment",
        }
    ]
    assert Enterprise.objects.filter(pk=busy_firm.E_BO9.pk).exists()


def test_a_users_role_on_a_deleted_enterprise_comes_back_with_it(
    busy_firm: SimpleNamespace, admin_client: Client
) -> None:
    owner = User.objects.create_user(email="quinua@x.org", password="pw")
    role = RoleAssignment.objects.create(user=owner, role="enterprise", enterprise=busy_firm.E_BO9)
    url = f"/api/v1/enterprises/{busy_firm.E_BO9.pk}"
    assert admin_client.delete(url + "?cascade=true").status_code == 204
    assert not RoleAssignment.objects.filter(user=owner).exists()
    restore(admin_client, only_set())
    back = RoleAssignment.objects.get(user=owner)
    assert (back.pk, back.role, back.enterprise_id) == (role.pk, "enterprise", busy_firm.E_BO9.pk)
    assert client_of(owner).get(url).status_code == 200


def test_a_cascade_that_is_not_a_yes_or_no_is_400_naming_it(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    response = admin_client.delete(f"/api/v1/deliveries/{busy_delivery.D_BO.pk}?cascade=maybe")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == ["cascade"]
    assert Delivery.objects.filter(pk=busy_delivery.D_BO.pk).exists()


def test_a_record_nothing_depends_on_goes_alone_and_comes_back_alone(
    world: SimpleNamespace, admin_client: Client
) -> None:
    initiative = world.INIT_BO1.pk
    assert admin_client.delete(f"/api/v1/initiatives/{initiative}").status_code == 204
    assert DeletionSet.objects.count() == 0
    assert world.INIT_BO1.history.first().history_change_reason is None
    admin_client.post("/deleted/restore", {"model": "outcomes.Initiative", "id": str(initiative)})
    assert Initiative.objects.get(pk=initiative).title == "5S"


# --- the pages ----------------------------------------------------------------------------


def listed_on(page: str, css_class: str) -> list[str]:
    """The kinds listed under one heading of the delete page ("3 enrolments", …)."""
    found = re.search(rf'<ul class="{css_class}">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>([^:<]*):", found.group(1)) if found else []


def fingerprint(page: str) -> str:
    return re.search(r'name="expected" value="([^"]*)"', page).group(1)


def test_the_delete_page_lists_what_would_go_and_what_would_be_unlinked(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/deliveries/{busy_delivery.D_BO.pk}/delete/"
    detail = admin_client.get(f"/deliveries/{busy_delivery.D_BO.pk}/").content.decode()
    assert f'href="{url}"' in detail
    page = admin_client.get(url).content.decode()
    assert "Delete D-BO (M1, 2015-06-01)" in page
    assert listed_on(page, "deleted-with-it") == ["3 enrolments", "5 participants"]
    assert listed_on(page, "unlinked-from-it") == [
        "2 consulting visits",
        "1 contribution",
        "1 direct training cost",
    ]
    assert "Cafe Oro in D-BO" in page
    assert admin_client.put(url).status_code == 405
    assert Delivery.objects.filter(pk=busy_delivery.D_BO.pk).exists()


def test_confirming_the_list_deletes_all_of_it_as_one_set(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/deliveries/{busy_delivery.D_BO.pk}/delete/"
    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, {"expected": fingerprint(page)})
    assert response.status_code == 302
    assert response["Location"] == "/deliveries/"
    assert not Delivery.objects.filter(pk=busy_delivery.D_BO.pk).exists()
    assert len(only_set().items["deleted"]) == 9


def test_a_confirmation_of_a_list_that_changed_since_deletes_nothing(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    w = busy_delivery
    url = f"/deliveries/{w.D_BO.pk}/delete/"
    page = admin_client.get(url).content.decode()
    Participant.objects.create(
        delivery=w.D_BO, enterprise=w.E_BO3, name="Ivo", sex="male", role="manager"
    )
    response = admin_client.post(url, {"expected": fingerprint(page)})
    assert response.status_code == 409
    assert "What depends on it changed meanwhile: check the list again." in (
        response.content.decode()
    )
    assert listed_on(response.content.decode(), "deleted-with-it") == [
        "3 enrolments",
        "6 participants",
    ]
    assert Delivery.objects.filter(pk=w.D_BO.pk).exists()


def test_the_page_refuses_cleanly_when_something_may_not_go(
    busy_delivery: SimpleNamespace,
) -> None:
    w = busy_delivery
    client = client_of(w.users["partner"])
    url = f"/deliveries/{w.D_BO.pk}/delete/"
    page = client.get(url).content.decode()
    assert "It cannot be deleted: your role may not unlink 1 contribution." in page
    assert 'name="expected"' not in page
    response = client.post(url, {"expected": ""})
    assert response.status_code == 409
    assert Delivery.objects.filter(pk=w.D_BO.pk).exists()
    page = client_of(w.users["global"]).get(f"/enterprises/{w.E_BO1.pk}/delete/")
    assert (
        "It cannot be deleted: it is used by 1 enrolment and 1 participant (never deleted "
        "with it); delete or move them first."
    ) in page.content.decode()


def test_an_enterprise_is_deleted_from_its_page_with_its_dependents(
    busy_firm: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/enterprises/{busy_firm.E_BO9.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert listed_on(page, "deleted-with-it") == [
        "2 assessments",
        "2 consulting visits",
        "1 initiative",
        "6 KPI observations",
        "2 lead buyer links",
        "4 practice answers",
    ]
    assert listed_on(page, "unlinked-from-it") == []
    response = admin_client.post(url, {"expected": fingerprint(page)}, follow=True)
    assert "Deleted Quinua Real." in response.content.decode()
    assert all(rows == [] for rows in firm_state(busy_firm).values())


# --- the audit trail ----------------------------------------------------------------------


def test_the_deleted_records_page_and_the_history_show_the_deletion_set(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    w = busy_delivery
    admin_client.delete(f"/api/v1/deliveries/{w.D_BO.pk}?cascade=true")
    deletion = only_set()
    rows = admin_client.get("/deleted/").content.decode().split("<tbody>")[1]
    assert "D-BO (M1, 2015-06-01)" in rows
    assert "with 3 enrolments, 5 participants and 2 trainer links" in rows
    assert "unlinked: 2 consulting visits, 1 contribution and 1 direct training cost" in rows
    assert f'name="set" value="{deletion.pk}"' in rows
    assert "Eva" not in rows  # its participants come back with it, not alone
    restore(admin_client, deletion)
    page = admin_client.get(f"/deliveries/{w.D_BO.pk}/").content.decode()
    history = page.split('id="history-title"')[1]
    assert f"deletion set {deletion.pk}" in history
    assert f"restored from deletion set {deletion.pk}" in history
    assert (
        "D-BO (M1, 2015-06-01)"
        not in admin_client.get("/deleted/").content.decode().split("<tbody>")[1]
    )


@pytest.mark.parametrize(
    ("record", "edit_or_detail", "delete", "back_to"),
    [
        ("COST_BO", "/costs/{pk}/edit/", "/costs/{pk}/delete/", "/costs/"),
        (
            "CONTRIB_LB",
            "/contributions/{pk}/edit/",
            "/contributions/{pk}/delete/",
            "/contributions/",
        ),
        ("T_BO3", "/trainers/{pk}/", "/trainers/{pk}/delete/", "/trainers/"),
        ("ORG_NEW", "/organisations/{pk}/", "/organisations/{pk}/delete/", "/organisations/"),
    ],
)
def test_costs_contributions_trainers_and_organisations_are_deleted_from_their_pages(
    world: SimpleNamespace,
    admin_client: Client,
    record: str,
    edit_or_detail: str,
    delete: str,
    back_to: str,
) -> None:
    w = world
    w.T_BO3 = Trainer.objects.create(key="T-BO3", name="Ines", sex="female", country=w.BO)
    w.ORG_NEW = Organisation.objects.create(key="NEWORG", name="Nueva", type="private_training")
    target = getattr(w, record)
    url = delete.format(pk=target.pk)
    assert f'href="{url}"' in admin_client.get(edit_or_detail.format(pk=target.pk)).content.decode()
    page = admin_client.get(url).content.decode()
    target.refresh_from_db()  # the amounts as stored: 100.00 USD
    assert f"<h1>Delete {target}</h1>" in page
    response = admin_client.post(url, {"expected": fingerprint(page)})
    assert (response.status_code, response["Location"]) == (302, back_to)
    assert not type(target).objects.filter(pk=target.pk).exists()
    assert not DeletionSet.objects.exists()  # it went alone: its history keeps it
    assert str(target) in admin_client.get("/deleted/").content.decode().split("<tbody>")[1]


def test_a_trainer_who_delivered_is_refused_with_what_uses_it(
    busy_delivery: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/trainers/{busy_delivery.T_BO2.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert (
        "It cannot be deleted: it is used by 1 consulting visit (never deleted with it);"
        " delete or move them first."
    ) in page
    assert 'type="submit"' not in page.split('<main id="main">')[1]
    response = admin_client.post(url, {"expected": "x"})
    assert response.status_code == 409
    assert Trainer.objects.filter(pk=busy_delivery.T_BO2.pk).exists()
