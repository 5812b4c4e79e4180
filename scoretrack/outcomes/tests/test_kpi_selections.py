"""KPI selections: the KPIs an enterprise chose, a record kind added through its
declaration (outcomes/kinds.py), with its sheet, API resource and scope derived."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.utils import timezone

from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import write_xlsx
from scoretrack.outcomes.models import Kpi, KpiSelection


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_selection_is_written_through_the_api_and_scoped(world: SimpleNamespace) -> None:
    Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    firm = as_user(world.users["enterprise"])  # E-BO1's own user
    body = {"enterprise": "E-BO1", "kpi": "defects", "selected_on": "2016-01-10", "target": 2}
    response = firm.post("/api/v1/kpi_selections", body, content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["frequency"], response.json()["target"]) == ("monthly", 2.0)
    stranger = {**body, "enterprise": "E-BO2"}
    response = firm.post("/api/v1/kpi_selections", stranger, content_type="application/json")
    assert response.status_code in (400, 403)  # E-BO2 is not its firm
    peru = as_user(world.users["country"]).get("/api/v1/kpi_selections").json()["items"]
    assert [item["enterprise"] for item in peru] == ["E-BO1"]
    assert KpiSelection.objects.count() == 1


def test_a_selection_in_a_workbook_keeps_the_rules(world: SimpleNamespace, tmp_path: Path) -> None:
    Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    ahead = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    rows = [
        ["enterprise", "kpi", "selected_on", "baseline", "target", "frequency"],
        ["E-BO1", "defects", "2016-01-10", "12", "6", "quarterly"],
        ["E-BO2", "defects", ahead, "", "", ""],
    ]
    report = workbook_import(
        source=write_xlsx(tmp_path / "a.xlsx", {"kpi_selections": rows}), user=world.users["global"]
    )
    today = timezone.localdate().isoformat()
    assert [p.line() for p in report.problems] == [
        f"kpi_selections:3:selected_on: a KPI selection cannot be dated after today ({today}) "
        f"(value '{ahead}')"
    ]
    assert not KpiSelection.objects.exists()  # all or nothing
    report = workbook_import(
        source=write_xlsx(tmp_path / "b.xlsx", {"kpi_selections": rows[:2]}),
        user=world.users["global"],
    )
    assert report.ok
    chosen = KpiSelection.objects.get()
    assert (str(chosen.baseline), str(chosen.target), chosen.frequency) == (
        "12.000000",
        "6.000000",
        "quarterly",
    )
