"""Exports of the real field forms with repeats, in the shapes ODK Central and
KoboToolbox download them: Central's .zip (`<form>.csv` + `<form>-<repeat>.csv` joined
by KEY / PARENT_KEY, and a media folder) and Kobo's .xlsx (a sheet of submissions and a
sheet per repeat joined by _index / _parent_index, or by _submission__uuid)."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from scoretrack.collect import imports
from scoretrack.collect.forms import FORMS
from scoretrack.collect.models import Submission
from scoretrack.events.models import EventParticipation
from scoretrack.training.models import Participant

pytestmark = pytest.mark.django_db

CENTRAL_META = (
    "SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,"
    "DeviceID,Edits,FormVersion"
)


def central_zip(form_id: str, main: str, repeats: dict[str, str]) -> bytes:
    """A zip as ODK Central's "Download all data" (CSV with repeats and media)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{form_id}.csv", main)
        for repeat, text in repeats.items():
            archive.writestr(f"{form_id}-{repeat}.csv", text)
        archive.writestr("media/1712.jpg", b"\xff\xd8 a photo")
    return out.getvalue()


def attendance_central(w: SimpleNamespace) -> bytes:
    version = FORMS["attendance"].version()
    main = (
        f"SubmissionDate,delivery,meta-instanceID,KEY,{CENTRAL_META}\n"
        f"2026-11-02T10:00:00.000Z,{w.D_BO.pk},uuid:a1,uuid:a1,5,ana,0,0,,,,0,{version}\n"
        f"2026-11-03T10:00:00.000Z,{w.D_BO.pk},uuid:a2,uuid:a2,5,ana,0,0,,,,0,{version}\n"
    )
    participants = (
        "enterprise,name,person,sex,role,eit_member,satisfaction,PARENT_KEY,KEY\n"
        f"{w.E_BO1.pk},María Quispe,,female,manager,yes,5,uuid:a1,uuid:a1/participant[1]\n"
        f"{w.E_BO1.pk},Juan Mamani,CI-123,male,worker,no,,uuid:a1,uuid:a1/participant[2]\n"
        f"{w.E_BO2.pk},Rosa Flores,,female,worker,no,4,uuid:a2,uuid:a2/participant[1]\n"
    )
    return central_zip("attendance", main, {"participant": participants})


KOBO_MAIN = (
    "start",
    "end",
    "delivery",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
KOBO_REPEAT = (
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
    "_submission__validation_status",
    "_submission__notes",
    "_submission__status",
    "_submission__submitted_by",
    "_submission___version__",
    "_submission__tags",
)


def attendance_kobo(w: SimpleNamespace, *, join: str = "_parent_index") -> bytes:
    """Kobo's XLS export, "XML values and headers", groups separated by "/"."""
    book = Workbook()
    main = book.active
    main.title = "Attendance of a delivery"
    main.append(KOBO_MAIN)
    main.append(["2026-11-02T09:00", "2026-11-02T10:00", str(w.D_BO.pk), 17, "k1"])
    main[2][12].value = 1
    main.append(["2026-11-03T09:00", "2026-11-03T10:00", str(w.D_BO.pk), 18, "k2"])
    main[3][12].value = 2
    sheet = book.create_sheet("participant")
    fields = ("enterprise", "name", "person", "sex", "role", "eit_member", "satisfaction")
    sheet.append([f"participant/{f}" for f in fields] + list(KOBO_REPEAT))
    people = [
        (w.E_BO1.pk, "María Quispe", None, "female", "manager", "yes", 5, 1, "k1"),
        (w.E_BO1.pk, "Juan Mamani", "CI-123", "male", "worker", "no", None, 1, "k1"),
        (w.E_BO2.pk, "Rosa Flores", None, "female", "worker", "no", 4, 2, "k2"),
    ]
    for n, (firm, name, person, sex, role, eit, score, parent, uuid) in enumerate(people, 1):
        parent_index = parent if join == "_parent_index" else None
        answers = [str(firm), name, person, sex, role, eit, score]
        sheet.append([*answers, n, "Attendance of a delivery", parent_index, 16 + parent, uuid])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


QUEUED_A2 = (
    "participant[1]/enterprise: a participant: the enterprise is not enrolled in this delivery "
    "(enrol it first) (E-BO2)"
)


def participants_of_a1(w: SimpleNamespace) -> set[tuple[Any, ...]]:
    rows = Participant.objects.filter(delivery=w.D_BO).exclude(pk=w.participants["E-BO1"].pk)
    return {
        (p.enterprise_id, p.name, p.person, p.sex, p.role, p.eit_member, p.satisfaction)
        for p in rows
    }


def expected_a1(w: SimpleNamespace) -> set[tuple[Any, ...]]:
    return {
        (w.E_BO1.pk, "María Quispe", "", "female", "manager", True, 5),
        (w.E_BO1.pk, "Juan Mamani", "CI-123", "male", "worker", False, None),
    }


def test_central_zip_of_the_attendance_form(world: SimpleNamespace) -> None:
    user = world.users["country"]
    summary = imports.import_csv(
        user, FORMS["attendance"], attendance_central(world), name="attendance.zip"
    )
    assert (summary.accepted, summary.duplicates) == (1, 0)
    assert summary.queued == [(3, "uuid:a2", QUEUED_A2)]
    assert participants_of_a1(world) == expected_a1(world)
    kept = Submission.objects.get(instance_id="uuid:a1")
    assert (kept.channel, kept.state, len(kept.records)) == ("csv", "approved", 2)

    again = imports.import_csv(
        user, FORMS["attendance"], attendance_central(world), name="attendance.zip"
    )
    assert (again.accepted, again.duplicates, again.queued) == (0, 2, [])
    assert Submission.objects.count() == 2
    assert Participant.objects.filter(delivery=world.D_BO).count() == 3


@pytest.mark.parametrize("join", ["_parent_index", "_submission__uuid"])
def test_kobo_xlsx_of_the_attendance_form(world: SimpleNamespace, join: str) -> None:
    summary = imports.import_csv(
        world.users["country"],
        FORMS["attendance"],
        attendance_kobo(world, join=join),
        name="Attendance.xlsx",
    )
    assert (summary.accepted, summary.duplicates) == (1, 0)
    assert summary.queued == [(3, "uuid:k2", QUEUED_A2)]
    assert participants_of_a1(world) == expected_a1(world)
    assert sorted(Submission.objects.values_list("instance_id", "state")) == [
        ("uuid:k1", "approved"),
        ("uuid:k2", "has_issues"),
    ]


def test_central_zip_of_the_worker_survey_and_event_forms(world: SimpleNamespace) -> None:
    user = world.users["country"]
    survey = central_zip(
        "worker_survey",
        f"SubmissionDate,enterprise,wave,date,respondent,sex,meta-instanceID,KEY,{CENTRAL_META}\n"
        f"2026-11-04T10:00:00.000Z,{world.E_BO1.pk},before,2026-11-03,R7,male,uuid:s1,uuid:s1"
        ",5,ana,0,0,,,,0,\n",
        {
            "answers": "question,question_new,answer,PARENT_KEY,KEY\n"
            ",Training was useful,4,uuid:s1,uuid:s1/answers[1]\n"
            ",Meetings happen weekly,2,uuid:s1,uuid:s1/answers[2]\n"
        },
    )
    done = imports.import_csv(user, FORMS["worker_survey"], survey, name="survey.zip")
    assert (done.accepted, done.queued) == (1, [])
    from scoretrack.outcomes.models import WorkerSurveyAnswer

    got = {(a.respondent, a.question, a.answer) for a in WorkerSurveyAnswer.objects.all()}
    assert got == {("R7", "Training was useful", 4), ("R7", "Meetings happen weekly", 2)}

    events = central_zip(
        "event_participants",
        f"SubmissionDate,event,meta-instanceID,KEY,{CENTRAL_META}\n"
        f"2026-11-04T10:00:00.000Z,{world.EV_BO.pk},uuid:e1,uuid:e1,5,ana,0,0,,,,0,\n",
        {
            "groups": "group,female,male,PARENT_KEY,KEY\n"
            "employers,3,4,uuid:e1,uuid:e1/groups[1]\n"
            "trade_unions,0,2,uuid:e1,uuid:e1/groups[2]\n"
        },
    )
    done = imports.import_csv(user, FORMS["event_participants"], events, name="ev.zip")
    assert (done.accepted, done.queued) == (1, [])
    got = {
        (p.group, p.female, p.male) for p in EventParticipation.objects.filter(event=world.EV_BO)
    }
    assert got == {("government", 1, 0), ("employers", 3, 4), ("trade_unions", 0, 2)}


def test_a_zip_without_one_main_csv_is_refused_whole(world: SimpleNamespace) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a.csv", "delivery\n1\n")
        archive.writestr("b.csv", "delivery\n2\n")
    with pytest.raises(imports.CsvRefused) as refused:
        imports.import_csv(
            world.users["country"], FORMS["attendance"], data.getvalue(), name="x.zip"
        )
    assert str(refused.value) == (
        "x.zip does not hold one CSV of submissions and its repeats' CSVs "
        "(<form>.csv, <form>-<repeat>.csv) as ODK Central exports them."
    )
    assert not Submission.objects.exists()


def test_the_import_page_takes_a_central_zip(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.users["country"])
    page = client.post(
        "/collect/import/",
        {
            "form": "attendance",
            "file": SimpleUploadedFile("attendance.zip", attendance_central(world)),
            "commit": "1",
        },
    ).content.decode()
    assert "1 submission accepted." in page
    assert "1 kept for review." in page
    assert Participant.objects.filter(delivery=world.D_BO).count() == 3
