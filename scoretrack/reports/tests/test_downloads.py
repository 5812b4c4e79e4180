"""Every table downloads as xlsx and CSV; both reports download as PDF with their charts."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from scoretrack.lib.tables import Table, csv_response, xlsx_response


@pytest.mark.django_db
def test_table_2_downloads_as_csv_with_its_cells(admin_client, programme):
    response = admin_client.get(
        "/reports/programme/?phase=II&format=csv&table=table-2-cost-recovery"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="table-2-cost-recovery.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Country", "2014", "2015", "Phase II", "Target"],
        ["Bolivia", "40.0", "60.0", "50.0", "55.0"],
        ["Peru", "100.0", "", "100.0", "50.0"],
    ]


@pytest.mark.django_db
def test_a_chart_downloads_as_xlsx_with_its_numbers(admin_client, programme):
    response = admin_client.get("/reports/country/BO/?phase=II&format=xlsx&table=smes-per-module")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        [None, "Phase II", "All time"],
        ["M1", 2, 3],
        ["M2", 1, 1],
    ]


@pytest.mark.django_db
def test_an_unknown_table_is_404(admin_client, programme):
    assert admin_client.get("/reports/programme/?format=csv&table=nope").status_code == 404


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised():
    table = Table(
        slug="t",
        title="T",
        header=["=name", "value"],
        rows=[["=SUM(A1:A9)", -3], ["+1", 2.5], ["@cmd", None], ["-x", 0]],
    )
    rows = list(csv.reader(io.StringIO(csv_response(table).content.decode())))
    assert rows == [
        ["'=name", "value"],
        ["'=SUM(A1:A9)", "-3"],
        ["'+1", "2.5"],
        ["'@cmd", ""],
        ["'-x", "0"],
    ]
    sheet = load_workbook(io.BytesIO(xlsx_response(table).content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["'=name", "value"],
        ["'=SUM(A1:A9)", -3],
        ["'+1", 2.5],
        ["'@cmd", None],
        ["'-x", 0],
    ]


@pytest.mark.django_db
def test_the_country_profile_downloads_as_a_pdf_with_its_charts(admin_client, programme, printed):
    response = admin_client.get("/reports/country/BO/?phase=II&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = printed[0]
    assert html.count("<svg") == 6  # modules, recovery, sources, partners, pipeline, constituents
    assert "M1 · All time: 3</title>" in html
    assert "Download PDF" not in html


@pytest.mark.django_db
def test_the_programme_report_downloads_as_a_pdf_with_its_charts(admin_client, programme, printed):
    response = admin_client.get("/reports/programme/?phase=II&format=pdf")
    assert response.content.startswith(b"%PDF")
    assert "Bolivia · Phase II: 2</title>" in printed[0]
    assert "Table 2. Cost recovery" in printed[0]


@pytest.mark.django_db
def test_an_empty_report_still_prints(admin_client):
    response = admin_client.get("/reports/programme/?format=pdf")
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_each_report_has_a_json_twin_with_the_same_tables(admin_client, programme):
    data = admin_client.get("/reports/programme/?phase=II&format=json").json()
    assert data["filters"] == {"phase": "II"}
    table_2 = next(s for s in data["sections"] if s["slug"] == "table-2-cost-recovery")
    assert table_2["indicators"] == ["cost_recovery_pct"]
    assert table_2["rows"] == [["Bolivia", 40, 60, 50, 55], ["Peru", 100, None, 100, 50]]
    country = admin_client.get("/reports/country/BO/?phase=II&format=json").json()
    assert {"code": "smes_trained", "label": "SMEs trained", "value": 2} in country["facts"]
