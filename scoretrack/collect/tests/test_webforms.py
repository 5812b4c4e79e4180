"""The browser forms' server side (`collect/webforms.py`): the form page and its
configuration, the media scoped to the user, the service worker, and the submission
endpoint the browser's outbox sends to (201 written, 202 kept for review with the
reason, anything else left waiting in the browser). The form and `receive` are the
stand-ins of `webforms_standin.py` until collect-forms' and collect-server's land."""

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
from scoretrack.collect.tests import webforms_standin
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
def forms(monkeypatch: Any) -> Any:
    return webforms_standin.install(monkeypatch)


@pytest.fixture
def ana(world: SimpleNamespace, forms: Any) -> Client:
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    client = Client()
    client.force_login(user)
    return client


def instance(enterprise: Any, *, uid: str = "uuid:1", date: str = "2024-06-05") -> bytes:
    return (
        f'<assessment id="assessment" version="{webforms_standin.VERSION}">'
        f"<enterprise>{enterprise.pk}</enterprise><kind>progress</kind><date>{date}</date>"
        "<answer><practice>P1</practice><in_place>yes</in_place></answer>"
        "<answer><practice>P2</practice><in_place>no</in_place></answer>"
        f"<meta><instanceID>{uid}</instanceID></meta></assessment>"
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


def test_the_page_carries_the_xform_and_where_to_fetch_and_send(ana: Client) -> None:
    response = ana.get("/collect/fill/assessment/")
    assert response.status_code == 200
    page = config(response)
    assert page["form_id"] == "assessment"
    assert page["xform"] == webforms_standin.XFORM
    assert page["media"] == ["enterprises.csv", "practices.csv"]
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
    assert xform.replace(' default="true()"', "") == webforms_standin.XFORM.replace(
        ' default="true()"', ""
    )


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
    assert '<a href="/collect/fill/assessment/">Assessment</a>' in listing.content.decode()
    assert ana.get("/collect/fill/attendance/").status_code == 404


def test_the_field_forms_page_links_each_form_to_its_browser_page(world: SimpleNamespace) -> None:
    """collect-forms' own page and forms (no stand-in): a trainer's forms, each linked.
    (A KPI in the catalogue: with none, pyxform refuses the monthly KPI form.)"""
    from scoretrack.outcomes.models import Kpi

    with acting_as(User.objects.get(email="hq@example.org")):
        Kpi.objects.create(code="absent", name="Absenteeism", unit="days", better="lower")
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    client = Client()
    client.force_login(user)
    page = client.get("/collect/forms/").content.decode()
    links = re.findall(
        r'<a href="(/collect/fill/[^"]*)">Fill it in this browser, offline too</a>', page
    )
    assert "/collect/fill/assessment/" in links
    assert all(client.get(link).status_code == 200 for link in links)


def test_someone_not_logged_in_is_sent_to_log_in(world: SimpleNamespace, forms: Any) -> None:
    response = Client().get("/collect/fill/assessment/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=/collect/fill/assessment/"


def test_the_media_are_the_users_own(ana: Client, world: SimpleNamespace) -> None:
    """Ana sees Andina, the one firm of her delivery: not Sol, not Inca Foods."""
    response = ana.get("/collect/fill/assessment/media/enterprises.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == f"name,label\n{world.andina.pk},Textiles Andina\n"
    practices = ana.get("/collect/fill/assessment/media/practices.csv").content.decode()
    assert practices == "name,label\nP1,Kaizen 5S\nP2,Quality policy\n"
    assert ana.get("/collect/fill/assessment/media/other.csv").status_code == 404


def test_the_service_worker_is_served_from_its_scope(ana: Client) -> None:
    assert (webforms.BUILD / "sw.js").exists(), "run `make install` (npm run build)"
    response = ana.get("/collect/fill/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b"scoretrack-fill-v1" in b"".join(response.streaming_content)


def test_a_submission_written_answers_201(ana: Client, world: SimpleNamespace, forms: Any) -> None:
    response = post(ana, instance(world.andina))
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
    (received,) = forms.RECEIVED.values()
    assert received.channel == "browser"
    # Sent again (the browser lost the answer): the same answer, nothing written twice.
    again = post(ana, instance(world.andina))
    assert (again.status_code, again.json()["state"]) == (201, "approved")
    assert Assessment.objects.count() == 1


def test_attachments_are_handed_to_receive(ana: Client, world: SimpleNamespace, forms: Any) -> None:
    assert post(ana, instance(world.andina), **{"photo.jpg": b"\xff\xd8"}).status_code == 201
    (received,) = forms.RECEIVED.values()
    assert received.attachments == {"photo.jpg": b"\xff\xd8"}


def test_a_submission_refused_is_kept_for_review_202_with_the_reason(
    ana: Client, world: SimpleNamespace, forms: Any
) -> None:
    response = post(ana, instance(world.inca))  # Peru's firm: not Ana's
    assert response.status_code == 202
    assert response.json() == {
        "state": "has_issues",
        "instance_id": "uuid:1",
        "reason": "enterprise: not one of yours",
    }
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    ("send", "status", "error"),
    [
        (
            lambda client: client.post("/collect/fill/submission", {}),
            400,
            "The submission has no instance (xml_submission_file).",
        ),
        (
            lambda client: post(client, b"<assessment><kind>"),
            400,
            "The submission is not XML: no element found: line 1, column 18",
        ),
    ],
)
def test_a_bad_submission_is_answered_with_why_and_nothing_received(
    ana: Client, forms: Any, send: Any, status: int, error: str
) -> None:
    response = send(ana)
    assert (response.status_code, response.json()) == (status, {"error": error})
    assert forms.RECEIVED == {}


def test_a_submission_too_large_is_refused(
    ana: Client, world: SimpleNamespace, forms: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(webforms, "MAX_SUBMISSION_BYTES", 100)
    response = post(ana, instance(world.andina))
    assert (response.status_code, response.json()) == (
        413,
        {"error": "The submission is larger than 10 MB."},
    )
    assert forms.RECEIVED == {}


def test_a_submission_needs_a_session_and_its_csrf_token(
    world: SimpleNamespace, forms: Any
) -> None:
    anonymous = post(Client(), instance(world.andina))
    assert (anonymous.status_code, anonymous.json()) == (403, {"error": "log in again to send it"})
    user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=user, role="trainer", trainer=world.ana)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert post(strict, instance(world.andina)).status_code == 403
    assert forms.RECEIVED == {}
    assert Assessment.objects.count() == 0
