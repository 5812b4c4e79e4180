"""The OpenRosa server and the CSV import with the real field forms (collect/forms.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from scoretrack.collect import imports
from scoretrack.collect.forms import FORMS
from scoretrack.collect.models import CollectKey, Submission
from scoretrack.collect.tests.test_openrosa import Phone, multipart
from scoretrack.training.models import ConsultingVisit

pytestmark = pytest.mark.django_db


def visit(world: Any, instance_id: str, firm: Any, version: str) -> bytes:
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="visit" version="{version}">'
        f"<enterprise>{firm.pk}</enterprise><trainer>{world.T_BO.pk}</trainer>"
        "<date>2016-03-01</date><hours>2.5</hours><delivery/><note>Layout</note>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def phone(world: Any) -> Phone:
    password, _token = CollectKey.issue(world.users["trainer"])
    p = Phone("ana@x.org", password)
    p.challenge()
    return p


def test_a_trainer_lists_downloads_and_submits_a_visit(phone: Phone, world: Any) -> None:
    listed = phone.send("GET", "/collect/formList").content.decode()
    version = FORMS["visit"].version()
    assert f"<formID>visit</formID><name>Consulting visit</name><version>{version}</version>" in (
        listed
    )
    # The KPI form too, though the KPI catalogue is empty (it was silently left out).
    assert "<formID>kpi_month</formID><name>Monthly KPI report</name>" in listed
    assert phone.send("GET", "/collect/forms/kpi_month/form.xml").status_code == 200
    form = phone.send("GET", "/collect/forms/visit/form.xml")
    assert f'<data id="visit" version="{version}">' in form.content.decode()
    manifest = phone.send("GET", "/collect/forms/visit/manifest").content.decode()
    assert re.findall(r"<filename>([^<]+)</filename>", manifest) == [
        "deliveries.csv",
        "enterprises.csv",
        "trainers.csv",
    ]
    firms = phone.send("GET", "/collect/forms/visit/media/enterprises.csv").content.decode()
    assert "(E-BO2)" in firms
    assert "E-PE1" not in firms

    sent = phone.send(
        "POST", "/collect/submission", multipart(visit(world, "uuid:r1", world.E_BO2, version))
    )
    assert sent.status_code == 201
    written = ConsultingVisit.objects.get(date="2016-03-01")
    assert (written.enterprise, written.trainer, written.hours, written.note) == (
        world.E_BO2,
        world.T_BO,
        2.5,
        "Layout",
    )
    assert Submission.objects.get().records == [
        {"model": "training.ConsultingVisit", "id": str(written.pk)}
    ]


def test_a_firm_out_of_scope_waits_for_the_country_team(phone: Phone, world: Any) -> None:
    version = FORMS["visit"].version()
    sent = phone.send(
        "POST", "/collect/submission", multipart(visit(world, "uuid:r2", world.E_PE1, version))
    )
    assert sent.status_code == 202
    kept = Submission.objects.get()
    assert kept.state == "has_issues"
    assert kept.reason.startswith("enterprise")
    assert not ConsultingVisit.objects.filter(date="2016-03-01").exists()
    reviewer = Client()
    reviewer.force_login(world.users["country"])
    page = reviewer.get(f"/collect/review/{kept.pk}/").content.decode()
    assert 'id="reason">enterprise' in page
    # The country team picks the right firm (E-BO2) and accepts.
    fields = dict(
        re.findall(r'<code>/(\w+)</code></label>\s*<input type="text" id="id_(v\d+)"', page)
    )
    answer = reviewer.post(
        f"/collect/review/{kept.pk}/accept",
        {
            fields["enterprise"]: str(world.E_BO2.pk),
            fields["trainer"]: str(world.T_BO.pk),
            fields["date"]: "2016-03-01",
            fields["hours"]: "2.5",
            fields["note"]: "Layout",
        },
    )
    assert answer.status_code == 302
    kept.refresh_from_db()
    assert kept.state == "approved", kept.reason
    assert ConsultingVisit.objects.get(date="2016-03-01").enterprise == world.E_BO2


def test_an_odk_central_csv_of_visits(world: Any) -> None:
    csv = (
        "SubmissionDate,enterprise,trainer,date,hours,delivery,note,meta-instanceID,KEY,"
        "SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,"
        "DeviceID,Edits,FormVersion\n"
        f"2016-03-02T10:00:00.000Z,{world.E_BO1.pk},{world.T_BO.pk},2016-03-02,1,,5S,uuid:c1,"
        "uuid:c1,7,ana,0,0,,,,0,\n"
        f"2016-03-02T11:00:00.000Z,{world.E_PE1.pk},{world.T_BO.pk},2016-03-02,1,,,uuid:c2,"
        "uuid:c2,7,ana,0,0,,,,0,\n"
    ).encode()
    summary = imports.import_csv(world.users["trainer"], FORMS["visit"], csv)
    assert (summary.accepted, summary.duplicates, len(summary.queued)) == (1, 0, 1)
    assert summary.queued[0][:2] == (3, "uuid:c2")
    assert ConsultingVisit.objects.get(date="2016-03-02").note == "5S"
