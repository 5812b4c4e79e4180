"""The reason a submission is kept for review is said in each reader's language: kept
in every interface language when it is found, shown in the reviewer's on the review
pages and in the phone's in the OpenRosa answer (Spanish, end to end)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from scoretrack.collect import pipeline
from scoretrack.collect.models import CollectKey, Submission
from scoretrack.collect.tests.test_openrosa import Phone, multipart

pytestmark = pytest.mark.django_db

EN = (
    "participant[1]/enterprise: a participant: the enterprise is not enrolled in this delivery "
    "(enrol it first) (E-BO2)"
)
ES = (
    "participant[1]/enterprise: un participante: la empresa no está inscrita en esta "
    "impartición (inscríbala primero) (E-BO2)"
)
FR = (
    "participant[1]/enterprise : un participant : l’entreprise n’est pas inscrite à cette "
    "session de formation (inscrivez-la d’abord) (E-BO2)"
)


def not_enrolled(w: SimpleNamespace, instance_id: str) -> bytes:
    """Attendance of D-BO by a firm (E-BO2) not enrolled in it: refused by the rule."""
    from scoretrack.collect.forms import FORMS

    return (
        f'<data id="attendance" version="{FORMS["attendance"].version()}">'
        f"<delivery>{w.D_BO.pk}</delivery><participant><enterprise>{w.E_BO2.pk}</enterprise>"
        "<name>Rosa</name><person/><sex>female</sex><role>worker</role>"
        "<eit_member>no</eit_member><satisfaction/></participant>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def test_the_reason_is_kept_in_every_language_and_shown_in_the_reviewers(
    world: SimpleNamespace,
) -> None:
    kept = pipeline.receive(world.users["country"], not_enrolled(world, "uuid:r1"))
    assert kept.state == "has_issues"
    assert kept.reason == EN
    assert sorted(kept.reasons) == ["en", "es", "fr", "id", "vi", "zh-hans"]
    assert (kept.reasons["es"], kept.reasons["fr"]) == (ES, FR)

    reviewer = world.users["country"]
    reviewer.language = "es"
    reviewer.save()
    client = Client()
    client.force_login(reviewer)
    page = client.get(f"/collect/review/{kept.pk}/").content.decode()
    assert f'<dd class="error" id="reason">{ES}</dd>' in page
    listed = client.get("/collect/review/").content.decode()
    assert ES in listed
    assert EN not in listed


def test_the_phone_is_answered_in_its_language(world: SimpleNamespace) -> None:
    password, _token = CollectKey.issue(world.users["country"])
    phone = Phone("bo@x.org", password)
    phone.challenge()
    answer = phone.send(
        "POST",
        "/collect/submission",
        multipart(not_enrolled(world, "uuid:r2")),
        **{"Accept-Language": "es"},
    )
    assert answer.status_code == 202
    assert f"Recibido y guardado para revisión: {ES}" in answer.content.decode()
    # kept in English for search, whatever the sender's language
    assert Submission.objects.get(instance_id="uuid:r2").reason == EN


def test_a_cell_the_importer_cannot_read_is_said_in_every_language(
    world: SimpleNamespace,
) -> None:
    from scoretrack.collect.forms import FORMS

    xml = (
        f'<data id="event_participants" version="{FORMS["event_participants"].version()}">'
        f"<event>{world.EV_BO.pk}</event><groups><group>employers</group><female>tres</female>"
        "<male>4</male></groups><meta><instanceID>uuid:r3</instanceID></meta></data>"
    ).encode()
    kept = pipeline.receive(world.users["country"], xml)
    assert kept.state == "has_issues"
    assert kept.reason == "groups[1]/female: not a whole number (tres)"
    assert kept.reasons["es"] == "groups[1]/female: no es un número entero (tres)"
    assert kept.reasons["zh-hans"] == "groups[1]/female：不是整数 (tres)"
