"""The review queue: what a form refused waits with its reason; a country team or HQ
corrects and accepts it, or rejects it with a note."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.collect import pipeline
from scoretrack.collect.models import CollectKey, Submission
from scoretrack.collect.tests.standin_forms import instance, standin  # noqa: F401
from scoretrack.training.models import ConsultingVisit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standin")]

BAD = "uuid:00000000-0000-0000-0000-0000000000bb"
GOOD = "uuid:00000000-0000-0000-0000-00000000000a"


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def queued(world: Any) -> Submission:
    """Ana (trainer, Bolivia) sent a visit of a Peruvian firm she cannot see."""
    kept = pipeline.receive(world.users["trainer"], instance(BAD, "E-PE1", hours="2"))
    assert kept.state == "has_issues"
    return kept


def test_the_country_team_sees_the_reason_in_the_queue(world: Any, queued: Submission) -> None:
    pipeline.receive(world.users["trainer"], instance(GOOD))
    client = client_of(world.users["country"])
    page = client.get("/collect/review/?state=has_issues").content.decode()
    assert "1 submission" in page
    assert "enterprise: No enterprise &#x27;E-PE1&#x27; you may see." in page
    everything = client.get("/collect/review/?sort=-received_at").content.decode()
    assert "2 submissions" in everything
    detail = client.get(f"/collect/review/{queued.pk}/").content.decode()
    assert 'id="reason">enterprise: No enterprise &#x27;E-PE1&#x27; you may see.</dd>' in detail
    assert "&lt;enterprise&gt;E-PE1&lt;/enterprise&gt;" in detail  # the raw XML
    assert 'name="v0" value="E-PE1"' in detail  # /enterprise, the first value to correct
    assert "Correct and accept" in detail


def test_another_countrys_team_sees_nothing(world: Any, queued: Submission) -> None:
    peru = User.objects.create_user(email="pe@x.org", password="pw")
    RoleAssignment.objects.create(user=peru, role="country_team", country=world.PE)
    client = client_of(peru)
    assert "0 submissions" in client.get("/collect/review/").content.decode()
    assert client.get(f"/collect/review/{queued.pk}/").status_code == 404
    assert client.post(f"/collect/review/{queued.pk}/reject", {"note": "x"}).status_code == 404
    assert Submission.objects.get().state == "has_issues"


def test_the_sender_sees_its_own_but_does_not_review(world: Any, queued: Submission) -> None:
    client = client_of(world.users["trainer"])
    detail = client.get(f"/collect/review/{queued.pk}/").content.decode()
    assert "No enterprise" in detail
    assert "Correct and accept" not in detail
    answer = client.post(f"/collect/review/{queued.pk}/accept", {"v0": "E-BO2"})
    assert answer.status_code == 403
    assert not ConsultingVisit.objects.filter(date="2016-01-05").exists()


def test_correct_and_accept_writes_the_record(world: Any, queued: Submission) -> None:
    client = client_of(world.users["country"])
    answer = client.post(
        f"/collect/review/{queued.pk}/accept",
        {"v0": "E-BO2", "v1": "2016-01-05", "v2": "2", "note": "firm code typed wrong"},
    )
    assert answer.status_code == 302
    visit = ConsultingVisit.objects.get(enterprise=world.E_BO2, date="2016-01-05")
    assert (visit.trainer, visit.hours) == (world.T_BO, 2)
    queued.refresh_from_db()
    assert (queued.state, queued.reason, queued.review_note) == (
        "approved",
        "",
        "firm code typed wrong",
    )
    assert (queued.reviewer, queued.records) == (
        world.users["country"],
        [{"model": "training.ConsultingVisit", "id": str(visit.pk)}],
    )
    assert "<enterprise>E-PE1</enterprise>" in queued.xml  # the raw XML is kept as sent
    assert "<enterprise>E-BO2</enterprise>" in queued.corrected_xml
    detail = client.get(f"/collect/review/{queued.pk}/").content.decode()
    decisions = re.findall(r"<td>(bo@x.org|—)</td><td>([^<]+)</td>", detail)
    assert decisions == [("—", "Received"), ("—", "Has issues"), ("bo@x.org", "Approved")]
    assert "Correct and accept" not in detail
    # A second accept of an approved submission is refused, nothing written twice.
    client.post(f"/collect/review/{queued.pk}/accept", {"v0": "E-BO2"})
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1


def test_a_correction_still_refused_stays_in_the_queue(world: Any, queued: Submission) -> None:
    client = client_of(world.users["country"])
    answer = client.post(
        f"/collect/review/{queued.pk}/accept",
        {"v0": "E-XX", "v1": "2016-01-05", "v2": "2"},
        follow=True,
    )
    assert "Still refused: enterprise: No enterprise &#x27;E-XX&#x27; you may see." in (
        answer.content.decode()
    )
    queued.refresh_from_db()
    assert (queued.state, queued.reason) == (
        "has_issues",
        "enterprise: No enterprise 'E-XX' you may see.",
    )


def test_reject_keeps_it_with_the_note(world: Any, queued: Submission) -> None:
    client = client_of(world.users["country"])
    refused = client.post(f"/collect/review/{queued.pk}/reject", {"note": "  "}, follow=True)
    assert "Say why it is rejected." in refused.content.decode()
    assert Submission.objects.get().state == "has_issues"

    client.post(f"/collect/review/{queued.pk}/reject", {"note": "Sent twice by mistake"})
    queued.refresh_from_db()
    assert (queued.state, queued.review_note, queued.reviewer) == (
        "rejected",
        "Sent twice by mistake",
        world.users["country"],
    )
    assert queued.xml == instance(BAD, "E-PE1", hours="2").decode()
    assert not ConsultingVisit.objects.filter(date="2016-01-05").exists()


def test_homes_and_navigation(world: Any, queued: Submission) -> None:
    country = client_of(world.users["country"]).get("/").content.decode()
    assert "1 submission to review" in country
    assert f'href="/collect/review/{queued.pk}/"' in country
    assert 'href="/collect/review/"' in country  # the menu
    hq = client_of(world.users["global"]).get("/").content.decode()
    assert "1 submission to review" in hq
    trainer = client_of(world.users["trainer"]).get("/").content.decode()
    assert 'href="/collect/review/"' not in trainer
    forms_page = client_of(world.users["trainer"]).get("/collect/forms/").content.decode()
    assert 'href="/collect/phone/"' in forms_page  # the phone's set-up
    assert 'href="/collect/import/"' in forms_page


def test_the_attachment_downloads_for_whoever_sees_the_submission(world: Any) -> None:
    kept = pipeline.receive(world.users["trainer"], instance(GOOD), {"sig.png": b"\x89PNG"})
    answer = client_of(world.users["country"]).get(f"/collect/review/{kept.pk}/files/sig.png")
    assert (answer.status_code, answer.content) == (200, b"\x89PNG")
    outsider = client_of(world.users["partner"])
    assert outsider.get(f"/collect/review/{kept.pk}/files/sig.png").status_code == 404


def test_the_collect_password_is_shown_once_and_kept_as_its_digest(world: Any) -> None:
    client = client_of(world.users["trainer"])
    page = client.get("/collect/phone/").content.decode()
    assert "<code>http://testserver/collect/</code>" in page
    made = client.post("/collect/phone/").content.decode()
    password = re.search(r'id="collect-password">([^<]+)<', made).group(1)
    key = CollectKey.objects.get(user=world.users["trainer"])
    assert key.ha1 == hashlib.md5(f"ana@x.org:scoretrack:{password}".encode()).hexdigest()
    assert password not in client.get("/collect/phone/").content.decode()
    token_url = re.search(r'id="key-url">([^<]+)<', made).group(1)
    assert Client().get(token_url + "formList").status_code == 200


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_queue_asks_as_many_queries_for_one_submission_as_for_six(world: Any) -> None:
    client = client_of(world.users["country"])
    pipeline.receive(world.users["trainer"], instance("uuid:q1"))
    one = queries_of(client, "/collect/review/")
    for n in range(2, 7):
        pipeline.receive(world.users["trainer"], instance(f"uuid:q{n}", date=f"2016-01-0{n}"))
    assert "6 submissions" in client.get("/collect/review/").content.decode()
    assert queries_of(client, "/collect/review/") == one
