"""The trainer's day of the browser test (field_day.py), sent as ODK Collect sends it
(raw OpenRosa HTTP, Digest): the same four submissions reach the same figures."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.collect.models import CollectKey, Submission
from scoretrack.collect.tests import field_day
from scoretrack.collect.tests.test_openrosa import Phone, multipart
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import build_world
from scoretrack.outcomes.models import KpiObservation, Practice
from scoretrack.training.models import ConsultingVisit, Enrolment, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(admin: Any) -> SimpleNamespace:
    w = build_world(admin)
    with acting_as(admin):
        Enrolment.objects.create(delivery=w.d_bo, enterprise=w.andina, status="enrolled")
        Practice.objects.create(code="P1", name="Kaizen 5S", module=w.m1)
        Practice.objects.create(code="P2", name="Quality policy", module=w.m2)
    w.user = User.objects.create_user(email="ana@example.org", password="pw-ana-123456")
    RoleAssignment.objects.create(user=w.user, role="trainer", trainer=w.ana)
    return field_day.prepare(w, admin)


def figures(user: User, url: str = field_day.VALUES) -> dict[str, Any]:
    client = Client()
    client.force_login(user)
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return answer.json()["values"]


def test_the_days_four_submissions_from_odk_collect_reach_the_figures(
    day: SimpleNamespace,
) -> None:
    assert figures(day.user) == field_day.BEFORE
    password, _token = CollectKey.issue(day.user)
    phone = Phone("ana@example.org", password)
    phone.challenge()
    listed = phone.send("GET", "/collect/formList").content.decode()
    for form_id in ("attendance", "visit", "assessment", "kpi_month"):
        assert f"<formID>{form_id}</formID>" in listed
    for form_id, xml in field_day.instances(day).items():
        head = phone.send("HEAD", "/collect/submission")
        assert head.status_code == 204, form_id
        sent = phone.send("POST", "/collect/submission", multipart(xml))
        assert (form_id, sent.status_code) == (form_id, 201), sent.content
        assert sent["X-OpenRosa-Version"] == "1.0"
    assert sorted(Submission.objects.values_list("form_id", "state", "channel")) == [
        ("assessment", "approved", "openrosa"),
        ("attendance", "approved", "openrosa"),
        ("kpi_month", "approved", "openrosa"),
        ("visit", "approved", "openrosa"),
    ]
    assert sorted(
        Participant.objects.values_list("name", "sex", "role", "eit_member", "satisfaction")
    ) == [
        ("Juan Mamani", "male", "worker", True, 3),
        ("María Quispe", "female", "manager", True, 5),
        ("Rosa Choque", "female", "worker", False, 4),
    ]
    visit = ConsultingVisit.objects.get()
    assert (visit.enterprise, visit.trainer, visit.hours, visit.delivery) == (
        day.andina,
        day.ana,
        3,
        day.d_bo,
    )
    assert sorted(KpiObservation.objects.values_list("kpi__code", "month", "value")) == [
        ("absent", day.last_month, 9),
        ("defects", day.last_month, 2),
    ]
    assert figures(day.user) == field_day.AFTER
    assert figures(day.user, field_day.STAFF_BY_SEX) == field_day.STAFF_BY_SEX_AFTER


def test_sent_twice_the_day_writes_nothing_more(day: SimpleNamespace) -> None:
    password, _token = CollectKey.issue(day.user)
    phone = Phone("ana@example.org", password)
    phone.challenge()
    for _round in range(2):
        for xml in field_day.instances(day).values():
            assert phone.send("POST", "/collect/submission", multipart(xml)).status_code == 201
    assert (Submission.objects.count(), Participant.objects.count()) == (4, 3)
    assert KpiObservation.objects.count() == 2
    assert figures(day.user) == field_day.AFTER
