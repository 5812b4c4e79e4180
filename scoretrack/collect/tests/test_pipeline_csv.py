"""Submissions exported as CSV by ODK Central and KoboToolbox, received like a phone's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scoretrack.collect import imports
from scoretrack.collect.models import Submission
from scoretrack.collect.tests.standin_forms import FORMS, standin  # noqa: F401
from scoretrack.training.models import ConsultingVisit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standin")]

# ODK Central: groups joined by "-", KEY = the instanceID, repeats in their own file.
CENTRAL = (
    b"SubmissionDate,enterprise,details-date,details-hours,meta-instanceID,KEY,SubmitterID,"
    b"SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,"
    b"FormVersion\n"
    b"2016-01-06T10:00:00.000Z,E-BO2,2016-01-05,3,uuid:c1,uuid:c1,5,ana,0,0,,,,0,v2\n"
    b"2016-01-07T10:00:00.000Z,E-PE1,2016-01-06,2,uuid:c2,uuid:c2,5,ana,0,0,,,,0,v2\n"
)
CENTRAL_TOPICS = (
    b"name,PARENT_KEY,KEY\nLayout,uuid:c1,uuid:c1/topic[1]\n5S,uuid:c1,uuid:c1/topic[2]\n"
)

# KoboToolbox: ";" between columns, groups joined by "/", repeats as [n] columns; the
# second row has no meta/instanceID, only Kobo's _uuid.
KOBO = (
    "\ufeffstart;end;enterprise;details/date;details/hours;topic[1]/name;topic[2]/name;"
    "meta/instanceID;_id;_uuid;_submission_time;_validation_status;_index\n"
    "2016-02-01T09:00;2016-02-01T10:00;E-BO1;2016-02-01;1.5;Layout;;uuid:k1;17;k1;"
    "2016-02-01T10:05;;1\n"
    "2016-02-02T09:00;2016-02-02T10:00;E-BO2;2016-02-02;;;;;18;k2;2016-02-02T10:05;;2\n"
).encode()


def test_central_csv_with_its_repeat_file(world: Any) -> None:
    user = world.users["trainer"]
    summary = imports.import_csv(user, FORMS["visit"], CENTRAL, {"visit-topic.csv": CENTRAL_TOPICS})
    assert (summary.accepted, summary.duplicates) == (1, 0)
    assert summary.queued == [(3, "uuid:c2", "enterprise: No enterprise 'E-PE1' you may see.")]
    visit = ConsultingVisit.objects.get(enterprise=world.E_BO2, date="2016-01-05")
    assert (visit.hours, visit.note, visit.trainer) == (3, "Layout; 5S", world.T_BO)
    kept = Submission.objects.get(instance_id="uuid:c1")
    assert (kept.channel, kept.state, kept.form_version) == ("csv", "approved", "v2")
    assert kept.xml == (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<visit id="visit" version="v2"><enterprise>E-BO2</enterprise><details>'
        "<date>2016-01-05</date><hours>3</hours></details><topic><name>Layout</name></topic>"
        "<topic><name>5S</name></topic><meta><instanceID>uuid:c1</instanceID></meta></visit>"
    )
    assert Submission.objects.get(instance_id="uuid:c2").state == "has_issues"

    again = imports.import_csv(user, FORMS["visit"], CENTRAL, {"visit-topic.csv": CENTRAL_TOPICS})
    assert (again.accepted, again.duplicates, again.queued) == (0, 2, [])
    assert Submission.objects.count() == 2
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1


def test_kobo_csv_with_indexed_repeat_columns(world: Any) -> None:
    summary = imports.import_csv(world.users["trainer"], FORMS["visit"], KOBO)
    assert (summary.accepted, summary.duplicates, summary.queued) == (2, 0, [])
    first = ConsultingVisit.objects.get(enterprise=world.E_BO1, date="2016-02-01")
    assert (first.hours, first.note) == (Decimal("1.5"), "Layout")
    second = ConsultingVisit.objects.get(enterprise=world.E_BO2, date="2016-02-02")
    assert (second.hours, second.note) == (None, "")
    assert sorted(Submission.objects.values_list("instance_id", flat=True)) == [
        "uuid:k1",
        "uuid:k2",
    ]


def test_a_file_of_another_form_is_refused_whole(world: Any) -> None:
    other = b"name,age,meta-instanceID\nx,3,uuid:z\n"
    with pytest.raises(imports.CsvRefused, match="No column of the file is a question"):
        imports.import_csv(world.users["trainer"], FORMS["visit"], other)
    assert not Submission.objects.exists()


def test_a_repeat_row_without_its_parent_refuses_the_import(world: Any) -> None:
    orphan = b"name,PARENT_KEY,KEY\nLayout,uuid:nope,uuid:nope/topic[1]\n"
    with pytest.raises(imports.CsvRefused) as refused:
        imports.import_csv(
            world.users["trainer"], FORMS["visit"], CENTRAL, {"visit-topic.csv": orphan}
        )
    assert (
        str(refused.value) == "visit-topic.csv row 2: its parent uuid:nope is not in the main file."
    )
    assert not Submission.objects.exists()


def test_the_import_page_checks_then_imports_what_it_checked(world: Any) -> None:
    client = Client()
    client.force_login(world.users["trainer"])
    assert (
        '<option value="visit">Consulting visit</option>'
        in client.get("/collect/import/").content.decode()
    )
    check = client.post(
        "/collect/import/",
        {
            "form": "visit",
            "file": SimpleUploadedFile("visit.csv", CENTRAL, "text/csv"),
            "repeats": [SimpleUploadedFile("visit-topic.csv", CENTRAL_TOPICS, "text/csv")],
        },
    )
    page = check.content.decode()
    assert "Checked: nothing is written yet." in page
    assert "1 submission would be accepted." in page
    assert "1 would be kept for review." in page
    assert "0 already received." in page
    assert (
        '<tr><td class="num">2</td><td><code>uuid:c1</code></td><td>Accepted</td><td></td></tr>'
        in page
    )
    assert (
        '<tr><td class="num">3</td><td><code>uuid:c2</code></td><td>Kept for review</td>'
        "<td>enterprise: No enterprise &#x27;E-PE1&#x27; you may see.</td></tr>"
    ) in page
    assert not Submission.objects.exists()
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 0
    token = check.context["token"]

    done = client.post("/collect/import/", {"token": token, "commit": "1"}).content.decode()
    assert "1 submission accepted." in done
    assert "1 kept for review." in done
    assert "<td>enterprise: No enterprise &#x27;E-PE1&#x27; you may see.</td>" in done
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1
    assert Submission.objects.count() == 2

    # taken once: the same token again imports nothing more
    again = client.post("/collect/import/", {"token": token, "commit": "1"}).content.decode()
    assert "This check has expired or was already imported: send the file again." in again
    # and another user's session cannot use a token
    other = Client()
    other.force_login(world.users["country"])
    check = client.post(
        "/collect/import/",
        {"form": "visit", "file": SimpleUploadedFile("visit.csv", CENTRAL, "text/csv")},
    )
    stolen = other.post("/collect/import/", {"token": check.context["token"], "commit": "1"})
    assert "This check has expired" in stolen.content.decode()


def test_the_check_says_which_rows_are_already_received(world: Any) -> None:
    imports.import_csv(world.users["trainer"], FORMS["visit"], CENTRAL)
    summary = imports.import_csv(world.users["trainer"], FORMS["visit"], CENTRAL, dry_run=True)
    assert [(o.row, o.instance_id, o.state) for o in summary.outcomes] == [
        (2, "uuid:c1", "duplicate"),
        (3, "uuid:c2", "duplicate"),
    ]


def test_the_check_says_a_row_repeated_in_the_file_would_be_a_duplicate(world: Any) -> None:
    twice = (
        CENTRAL + b"2016-01-08T10:00:00.000Z,E-BO2,2016-01-05,3,uuid:c1,uuid:c1,5,ana,0,0,,,,0,v2\n"
    )
    summary = imports.import_csv(world.users["trainer"], FORMS["visit"], twice, dry_run=True)
    assert [(o.row, o.instance_id, o.state) for o in summary.outcomes] == [
        (2, "uuid:c1", "accepted"),
        (3, "uuid:c2", "queued"),
        (4, "uuid:c1", "duplicate"),
    ]
    assert not Submission.objects.exists()
    done = imports.import_csv(world.users["trainer"], FORMS["visit"], twice)
    assert (done.accepted, len(done.queued), done.duplicates) == (1, 1, 1)


def test_a_file_that_cannot_be_read_is_refused_at_the_check(world: Any) -> None:
    client = Client()
    client.force_login(world.users["trainer"])
    latin = client.post(
        "/collect/import/",
        {
            "form": "visit",
            "file": SimpleUploadedFile("v.csv", "enterprise\nCafé".encode("latin-1")),
        },
    ).content.decode()
    assert "Nothing was received: v.csv is not UTF-8 text (byte 14): export it as CSV." in latin
