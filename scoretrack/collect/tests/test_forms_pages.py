"""/collect/forms/: the forms a user may submit, each downloadable as XLSForm, XForm
and its CSVs (the user's own)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from scoretrack.collect.forms import forms_for
from scoretrack.enterprises.models import Enterprise
from scoretrack.events.models import Event
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import Delivery, Enrolment


def client_of(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_the_list_offers_a_trainer_its_five_forms(world: SimpleNamespace) -> None:
    html = client_of(world, "trainer").get("/collect/forms/").content.decode()
    titles = re.findall(r"<h2 [^>]*>(.*?)</h2>", html)
    assert titles == [
        "Attendance of a delivery",
        "Consulting visit",
        "Baseline or progress assessment",
        "Monthly KPI report",
        "Worker survey",
    ]
    assert 'href="/collect/forms/attendance/xlsform/"' in html
    assert 'href="/collect/forms/attendance/files/enrolments.csv"' in html


def test_the_list_in_spanish(world: SimpleNamespace) -> None:
    client = client_of(world, "country")
    html = client.get("/collect/forms/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Formularios de campo" in html
    assert "Visita de asesoría" in html


def test_downloads(world: SimpleNamespace) -> None:
    client = client_of(world, "trainer")
    response = client.get("/collect/forms/visit/xlsform/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="visit.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["survey", "settings"]
    response = client.get("/collect/forms/visit/xform/")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    data = ET.fromstring(response.content).find(".//{http://www.w3.org/2002/xforms}data")
    assert data.get("id") == "visit"
    response = client.get("/collect/forms/visit/files/enterprises.csv")
    assert response.content.decode().splitlines() == [
        "name,label",
        f"{world.E_BO2.pk},Muebles Sur (E-BO2)",
        f"{world.E_BO1.pk},Textil Andina (E-BO1)",
    ]


def test_what_a_user_may_not_have(world: SimpleNamespace) -> None:
    trainer = client_of(world, "trainer")
    assert trainer.get("/collect/forms/event_participants/xform/").status_code == 404
    assert trainer.get("/collect/forms/visit/files/events.csv").status_code == 404
    assert trainer.get("/collect/forms/nothing/xlsform/").status_code == 404
    assert client_of(world, "lead_buyer").get("/collect/forms/").status_code == 403
    assert Client().get("/collect/forms/").status_code == 302  # to the log-in


SCOPED = {
    "enterprises.csv": Enterprise,
    "deliveries.csv": Delivery,
    "trainers.csv": Trainer,
    "events.csv": Event,
}


@pytest.mark.parametrize("role", ["global", "country", "partner", "trainer", "enterprise"])
def test_no_media_holds_a_record_outside_the_scope(world: SimpleNamespace, role: str) -> None:
    """Every record named in every CSV of every form offered is one the role sees (and,
    for the scoping world's records, exactly those it sees)."""
    client = client_of(world, role)
    user = world.users[role]
    for form in forms_for(user):
        for name in form.files:
            text = client.get(f"/collect/forms/{form.form_id}/files/{name}").content.decode()
            table = list(csv.DictReader(io.StringIO(text)))
            if name in SCOPED:
                model = SCOPED[name]
                shown = {row["name"] for row in table}
                assert shown == {
                    str(pk) for pk in model.objects.visible_to(user).values_list("pk", flat=True)
                }, (role, name)
            elif name == "enrolments.csv":
                pairs = {(row["name"], row["delivery"]) for row in table}
                visible = Enrolment.objects.visible_to(user).filter(
                    delivery__in=Delivery.objects.visible_to(user)
                )
                assert pairs == {
                    (str(e), str(d)) for e, d in visible.values_list("enterprise_id", "delivery_id")
                }
    # the trainer's own, by hand: Ana sees D-BO and its firm E-BO1, and E-BO2 she visited
    ana = client_of(world, "trainer")
    firms = ana.get("/collect/forms/visit/files/enterprises.csv").content.decode()
    assert str(world.E_PE1.pk) not in firms and str(world.E_BO1.pk) in firms
