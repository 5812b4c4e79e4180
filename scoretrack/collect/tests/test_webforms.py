"""The browser forms' server side (`collect/webforms.py`): the form page and its
configuration, the media scoped to the user, the service worker, and the submission
endpoint the browser's outbox sends to (201 written, 202 kept for review with the
reason, anything else left waiting in the browser), through the real field forms
(`forms.py`) and pipeline (`pipeline.receive`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.collect import webforms
from scoretrack.collect.forms import FORMS
from scoretrack.collect.models import Submission
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import build_world
from scoretrack.outcomes.models import Assessment, Practice
from scoretrack.training.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin: Any) -> SimpleNamespace:
    """Ana trains BO-2016-01, in which Textiles Andina is enrolled; two practices."""
    w = build_world(admin)
    with acting_as(admin):
        Enrolment.objects.create(delivery=w.d_bo, enterprise=w.andina, status="enrolled")
        Practice.objects.create(code="P1", name="Kaizen 5S", module=w.m1)
        Practice.objects.create(code="P2", name="Quality policy", module=w.m2)
    return w


@pytest.fixture
def ana(world: SimpleNamespace) -> Client:
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    client = Client()
    client.force_login(user)
    return client


def instance(enterprise: Any, assessor: Any, *, uid: str = "uuid:1") -> bytes:
    """The assessment as ODK Web Forms sends it (pyxform's instance of forms.py's form)."""
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="assessment" '
        f'version="{FORMS["assessment"].version()}">'
        f"<enterprise>{enterprise.pk}</enterprise><kind>progress</kind><date>2024-06-05</date>"
        f"<assessor>{assessor.pk}</assessor><p_P1>yes</p_P1><note_P1>5S seen</note_P1>"
        "<p_P2>no</p_P2><note_P2/>"
        f"<meta><instanceID>{uid}</instanceID></meta></data>"
    ).encode()


def post(client: Client, xml: bytes, **files: bytes) -> Any:
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    data |= {name: SimpleUploadedFile(name, content) for name, content in files.items()}
    return client.post("/collect/fill/submission", data)


def config(response: Any) -> dict:
    found = re.search(
        r'<script id="fill-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page carries its configuration"
    return json.loads(found.group(1))


def without_default(xform: str) -> str:
    return xform.replace(' default="true()"', "")


def test_the_page_carries_the_xform_and_where_to_fetch_and_send(ana: Client) -> None:
    response = ana.get("/collect/fill/assessment/")
    assert response.status_code == 200
    page = config(response)
    assert page["form_id"] == "assessment"
    assert page["title"] == "Baseline or progress assessment"
    assert without_default(page["xform"]) == without_default(
        FORMS["assessment"].xform(response.wsgi_request.user)
    )
    assert '<translation lang="English (en)" default="true()">' in page["xform"]
    assert page["media"] == ["enterprises.csv", "trainers.csv"]
    assert page["media_url"] == "/collect/fill/assessment/media/"
    assert page["submit_url"] == "/collect/fill/submission"
    assert (page["worker_url"], page["worker_scope"]) == ("/collect/fill/sw.js", "/collect/fill/")
    assert page["strings"]["waiting_one"] == "%(count)s submission waiting to be sent"
    assert page["strings"]["waiting_many"] == "%(count)s submissions waiting to be sent"
    assert '<script type="module" src="/static/collect/build/fill.js">' in response.content.decode()
    # The engine compiles WebAssembly and carries its fonts: allowed on these pages only.
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "font-src 'self' data:;" in policy
    home = ana.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in home and "wasm" not in home


def test_the_page_in_spanish_counts_in_spanish(ana: Client) -> None:
    ana.cookies["django_language"] = "es"
    strings = config(ana.get("/collect/fill/assessment/", HTTP_ACCEPT_LANGUAGE="es"))["strings"]
    assert strings["waiting_one"] == "%(count)s envío en espera de enviarse"
    assert strings["waiting_many"] == "%(count)s envíos en espera de enviarse"


def test_the_form_opens_in_the_page_language(ana: Client) -> None:
    ana.cookies["django_language"] = "es"
    xform = config(ana.get("/collect/fill/assessment/"))["xform"]
    assert '<translation lang="English (en)">' in xform
    assert '<translation lang="Español (es)" default="true()">' in xform
    assert "<value>Línea de base</value>" in xform


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            "<translation lang='中文 (zh_Hans)' default=\"true()\">"
            "<translation lang='English (en)'>",
        ),
        (
            "fr",
            "<translation lang='中文 (zh_Hans)'><translation lang='English (en)' default='true()'>",
        ),
    ],
)
def test_the_default_translation_follows_the_language_when_the_form_has_it(
    language: str, expected: str
) -> None:
    """Chinese is made the default; French, which the form lacks, changes nothing."""
    xform = "<translation lang='中文 (zh_Hans)'><translation lang='English (en)' default='true()'>"
    assert webforms.in_language(xform, language) == expected


def test_the_list_of_forms_and_an_unknown_form(ana: Client) -> None:
    listing = ana.get("/collect/fill/")
    assert listing.status_code == 200
    assert re.findall(r'<a href="/collect/fill/[^"]*">[^<]*</a>', listing.content.decode()) == [
        '<a href="/collect/fill/attendance/">Attendance of a delivery</a>',
        '<a href="/collect/fill/visit/">Consulting visit</a>',
        '<a href="/collect/fill/assessment/">Baseline or progress assessment</a>',
        '<a href="/collect/fill/kpi_month/">Monthly KPI report</a>',
        '<a href="/collect/fill/worker_survey/">Worker survey</a>',
    ]
    # A form its role may not submit (an event's participants: the country team's).
    assert ana.get("/collect/fill/event_participants/").status_code == 404
    assert ana.get("/collect/fill/nothing/").status_code == 404


def test_the_field_forms_page_links_each_form_to_its_browser_page(world: SimpleNamespace) -> None:
    """A trainer's forms, each linked and each opening, the monthly KPI form too with an
    empty KPI catalogue (it used to fail to compile: a 500 here)."""
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    client = Client()
    client.force_login(user)
    page = client.get("/collect/forms/").content.decode()
    links = re.findall(
        r'<a href="(/collect/fill/[^"]*)">Fill it in this browser, offline too</a>', page
    )
    assert "/collect/fill/assessment/" in links
    assert "/collect/fill/kpi_month/" in links
    assert all(client.get(link).status_code == 200 for link in links)


def test_someone_not_logged_in_is_sent_to_log_in(world: SimpleNamespace) -> None:
    response = Client().get("/collect/fill/assessment/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=/collect/fill/assessment/"


def test_the_media_are_the_users_own(ana: Client, world: SimpleNamespace) -> None:
    """Ana sees Andina, the one firm of her delivery: not Sol, not Inca Foods."""
    response = ana.get("/collect/fill/assessment/media/enterprises.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == f"name,label\n{world.andina.pk},Textiles Andina (E1)\n"
    trainers = ana.get("/collect/fill/assessment/media/trainers.csv").content.decode()
    assert trainers == f"name,label\n{world.ana.pk},Ana Quispe (T1)\n"
    assert ana.get("/collect/fill/assessment/media/other.csv").status_code == 404


def test_the_service_worker_is_served_from_its_scope(ana: Client) -> None:
    assert (webforms.BUILD / "sw.js").exists(), "run `make install` (npm run build)"
    response = ana.get("/collect/fill/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b"scoretrack-fill-v1" in b"".join(response.streaming_content)


def test_a_submission_written_answers_201(ana: Client, world: SimpleNamespace) -> None:
    response = post(ana, instance(world.andina, world.ana))
    assert response.status_code == 201
    assert response.json() == {"state": "approved", "instance_id": "uuid:1", "reason": ""}
    assessment = Assessment.objects.get()
    assert (assessment.enterprise, assessment.kind, assessment.date) == (
        world.andina,
        "progress",
        dt.date(2024, 6, 5),
    )
    assert sorted(assessment.answers.values_list("practice__code", "in_place")) == [
        ("P1", True),
        ("P2", False),
    ]
    assert assessment.assessor == world.ana
    (received,) = Submission.objects.all()
    assert (received.channel, received.state, received.user.email) == (
        "browser",
        "approved",
        "ana@example.org",
    )
    # Sent again (the browser lost the answer): the same answer, nothing written twice.
    again = post(ana, instance(world.andina, world.ana))
    assert (again.status_code, again.json()["state"]) == (201, "approved")
    assert Assessment.objects.count() == 1


def test_attachments_are_handed_to_receive(ana: Client, world: SimpleNamespace) -> None:
    sent = post(ana, instance(world.andina, world.ana), **{"photo.jpg": b"\xff\xd8"})
    assert sent.status_code == 201
    (received,) = Submission.objects.all()
    assert [(a.name, bytes(a.data)) for a in received.attachments.all()] == [
        ("photo.jpg", b"\xff\xd8")
    ]


def test_a_submission_refused_is_kept_for_review_202_with_the_reason(
    ana: Client, world: SimpleNamespace
) -> None:
    response = post(ana, instance(world.inca, world.ana))  # Peru's firm: not Ana's
    assert response.status_code == 202
    assert response.json() == {
        "state": "has_issues",
        "instance_id": "uuid:1",
        "reason": f"enterprise: you may not record for enterprise {world.inca.pk} "
        "(unknown, or outside your scope).",
    }
    assert Assessment.objects.count() == 0
    assert Submission.objects.get().state == "has_issues"


def test_a_submission_that_is_not_xml_is_kept_for_review_202(ana: Client) -> None:
    """Never lost: the pipeline keeps what it cannot read, with why."""
    response = post(ana, b"<assessment><kind>")
    assert response.status_code == 202
    assert response.json()["reason"] == (
        "The XML cannot be read: no element found: line 1, column 18"
    )
    assert Submission.objects.get().xml == "<assessment><kind>"


@pytest.mark.parametrize(
    ("send", "status", "error"),
    [
        (
            lambda client: client.post("/collect/fill/submission", {}),
            400,
            "The submission has no instance (xml_submission_file).",
        ),
    ],
)
def test_a_bad_submission_is_answered_with_why_and_nothing_received(
    ana: Client, send: Any, status: int, error: str
) -> None:
    response = send(ana)
    assert (response.status_code, response.json()) == (status, {"error": error})
    assert not Submission.objects.exists()


def test_a_submission_too_large_is_refused(
    ana: Client, world: SimpleNamespace, monkeypatch: Any
) -> None:
    monkeypatch.setattr(webforms, "MAX_SUBMISSION_BYTES", 100)
    response = post(ana, instance(world.andina, world.ana))
    assert (response.status_code, response.json()) == (
        413,
        {"error": "The submission is larger than 10 MB."},
    )
    assert not Submission.objects.exists()


def test_a_submission_needs_a_session_and_its_csrf_token(world: SimpleNamespace) -> None:
    anonymous = post(Client(), instance(world.andina, world.ana))
    assert (anonymous.status_code, anonymous.json()) == (403, {"error": "log in again to send it"})
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert post(strict, instance(world.andina, world.ana)).status_code == 403
    assert not Submission.objects.exists()
    assert Assessment.objects.count() == 0
