"""/collect/forms/: the forms a user may submit, each downloadable as XLSForm, XForm
and its CSVs (the user's own)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from django.test import Client
from openpyxl import load_workbook


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
