"""The import page (upload, check, preview, confirm), the export page and the template."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from scoretrack.accounts.models import User
from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.tests.conftest import BASICS, write_xlsx
from scoretrack.reference.models import CountryProgramme

IMPORT = reverse("exchange:import")


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def upload(client: Client, name: str, content: bytes) -> Any:
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)}, follow=True)


def basics_xlsx(tmp_path: Path, sheets: Any = None) -> bytes:
    return write_xlsx(tmp_path / "upload.xlsx", sheets or BASICS).read_bytes()


def test_the_import_page_needs_a_login(client: Client, db: Any) -> None:
    response = client.get(IMPORT)
    assert response.status_code == 302 and "login" in response["Location"]


def test_upload_previews_then_confirm_imports(admin_client: Client, tmp_path: Path) -> None:
    response = upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No errors. This is what the import will do" in page
    assert "<tr><td>enterprises</td><td>2</td><td>0</td><td>0</td></tr>" in page
    assert "Import 7 rows</button>" in page
    assert not Enterprise.objects.exists()  # the preview changed nothing

    job = ImportJob.objects.get()
    response = admin_client.post(reverse("exchange:import-confirm", args=[job.id]), follow=True)
    assert "Imported 7 rows." in response.content.decode()
    assert sorted(Enterprise.objects.values_list("key", flat=True)) == ["E1", "E2"]
    assert not Path(job.path).exists()  # the upload is not kept once imported


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(
    admin_client: Client, tmp_path: Path
) -> None:
    sheets = {"countries": [["code", "name", "start_date"], ["CO", "Colombia", "31/12/2020"]]}
    response = upload(admin_client, "bad.xlsx", basics_xlsx(tmp_path, sheets))
    page = response.content.decode()
    assert "1 error: nothing was imported" in page
    assert (
        "<tr><td>countries</td><td>2</td><td>start_date</td><td>31/12/2020</td>"
        "<td>not a date: use YYYY-MM-DD</td></tr>"
    ) in page
    job = ImportJob.objects.get()
    response = admin_client.post(reverse("exchange:import-confirm", args=[job.id]))
    assert response.status_code == 409
    assert not CountryProgramme.objects.exists()


def test_someone_elses_import_is_not_found(admin_client: Client, tmp_path: Path) -> None:
    upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    job = ImportJob.objects.get()
    other = User.objects.create_user(email="other@example.org", password="pw-other-123")
    client = Client()
    client.force_login(other)
    assert client.get(reverse("exchange:import-job", args=[job.id])).status_code == 404
    assert client.post(reverse("exchange:import-confirm", args=[job.id])).status_code == 404


def test_confirm_needs_post(admin_client: Client, tmp_path: Path) -> None:
    upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    job = ImportJob.objects.get()
    assert admin_client.get(reverse("exchange:import-confirm", args=[job.id])).status_code == 405


def test_every_file_is_checked_and_imported_as_a_task(admin_client: Client, tmp_path: Path) -> None:
    # Tests run tasks immediately, at enqueue; the worker's queue is in test_jobs.py.
    upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED
    admin_client.post(reverse("exchange:import-confirm", args=[job.id]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Enterprise.objects.count() == 2


def test_a_running_import_shows_a_polling_progress_bar(admin: Any, admin_client: Client) -> None:
    job = ImportJob.objects.create(
        user=admin, file_name="big.xlsx", path="/nonexistent/big.xlsx", size=10**8
    )
    url = reverse("exchange:import-job", args=[job.id])
    page = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    fragment = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"')
    assert "<html" not in fragment


# --- hostile files ------------------------------------------------------------------------


def test_a_file_that_is_not_a_workbook_is_refused_at_the_upload(admin_client: Client) -> None:
    response = upload(admin_client, "photo.xlsx", b"\x89PNG\r\n\x1a\n not really")
    assert response.status_code == 400
    assert "Not an xlsx workbook, a zip of CSV files or a CSV file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_damaged_workbook_gets_a_clear_error(admin_client: Client, tmp_path: Path) -> None:
    good = basics_xlsx(tmp_path)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut the XML in half
            target.writestr(entry, data)
    response = upload(admin_client, "broken.xlsx", broken.getvalue())
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not CountryProgramme.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(admin_client: Client) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("countries.csv", b"0" * (20 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    response = upload(admin_client, "bomb.zip", bomb.getvalue())
    assert "refused as a possible zip bomb" in response.content.decode()


def test_a_zip_unpacking_beyond_the_limit_is_refused(admin_client: Client, settings: Any) -> None:
    settings.IMPORT_MAX_UNPACKED_BYTES = 1000
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("countries.csv", "code,name\n" + "CO,Colombia\n" * 200)
    response = upload(admin_client, "big.zip", archive_bytes.getvalue())
    assert "the zip unpacks to 2,410 bytes, more than the 1,000 allowed" in (
        response.content.decode()
    )


def test_an_oversize_upload_is_refused(admin_client: Client, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(admin_client, "huge.csv", b"code,name\n" + b"CO,Colombia\n" * 1000)
    assert response.status_code == 413
    assert "larger than the 1,000 bytes allowed" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_of_another_kind_is_refused(admin_client: Client) -> None:
    response = upload(admin_client, "old.xls", b"whatever")
    assert response.status_code == 400
    assert "Upload an .xlsx workbook" in response.content.decode()


# --- export and template ------------------------------------------------------------------


def test_the_export_page_downloads_a_workbook_of_one_country(
    admin: Any, admin_client: Client, tmp_path: Path
) -> None:
    upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    admin_client.post(reverse("exchange:import-confirm", args=[ImportJob.objects.get().id]))
    url = reverse("exchange:export")
    assert "Country programme" in admin_client.get(url).content.decode()
    response = admin_client.get(url, {"format": "xlsx", "country": "CO", "sheet": "enterprises"})
    assert response["Content-Disposition"] == 'attachment; filename="scoretrack-co.xlsx"'
    path = tmp_path / "down.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("enterprises").to_python()
    assert [row[0] for row in rows] == ["key", "E1", "E2"]
    response = admin_client.get(url, {"format": "zip"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert names[:3] == ["countries.csv", "phases.csv", "modules.csv"]
    assert admin_client.get(url, {"format": "zip", "country": "ZZ"}).status_code == 400


def test_the_template_has_a_readme_every_sheet_and_drop_downs(
    admin_client: Client, tmp_path: Path
) -> None:
    import openpyxl

    response = admin_client.get(reverse("exchange:template"))
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "README"
    assert book.sheetnames[1:4] == ["countries", "phases", "modules"]
    assert [c.value for c in book["phases"][1]] == ["name", "start_date", "end_date"]
    readme = [[c.value for c in row] for row in book["README"].iter_rows()]
    assert [
        "participants",
        "sex",
        "yes",
        "female, male, undisclosed",
        "People attending classroom training.",
    ] in readme
    rules = book["participants"].data_validations.dataValidation
    assert {(r.formula1, str(r.sqref)) for r in rules} >= {
        ('"female,male,undisclosed"', "C2:C1048576"),
        ('"manager,worker"', "D2:D1048576"),
        ('"yes,no"', "G2:G1048576"),
    }


def test_the_empty_template_imports_as_nothing(admin: Any, tmp_path: Path) -> None:
    from scoretrack.exchange.services import workbook_import
    from scoretrack.exchange.template import template_workbook

    path = tmp_path / "template.xlsx"
    path.write_bytes(template_workbook())
    report = workbook_import(source=path, user=admin)
    assert report.ok, report.problems
    assert {(c.created, c.updated, c.unchanged) for c in report.counts.values()} == {(0, 0, 0)}


def test_uploads_nobody_confirmed_are_forgotten_after_two_days(
    admin: Any, admin_client: Client, tmp_path: Path
) -> None:
    import datetime as dt

    from django.utils import timezone

    stale_file = tmp_path / "stale.xlsx"
    stale_file.write_bytes(b"x")
    stale = ImportJob.objects.create(user=admin, file_name="s.xlsx", path=str(stale_file), size=1)
    ImportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    upload(admin_client, "basics.xlsx", basics_xlsx(tmp_path))
    assert list(ImportJob.objects.values_list("file_name", flat=True)) == ["basics.xlsx"]
    assert not stale_file.exists()
