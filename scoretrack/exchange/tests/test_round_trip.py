"""Re-importing changes nothing; export -> import -> export gives the same sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange import importer, references
from scoretrack.exchange.exporter import workbook_export
from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import BASICS, EVERYTHING, write_csv_folder
from scoretrack.finance.models import DirectCost
from scoretrack.reference.models import CountryProgramme, Organisation
from scoretrack.training.models import Enrolment, Participant


def counts(report: Any) -> dict[str, tuple[int, int, int]]:
    return {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()}


def read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def read_folder(path: Path) -> dict[str, str]:
    return {f.name: f.read_text() for f in sorted(path.iterdir())}


def test_a_second_import_changes_nothing(admin: Any, xlsx: Any) -> None:
    first = workbook_import(source=xlsx(EVERYTHING), user=admin)
    assert first.ok, first.problems
    again = workbook_import(source=xlsx(EVERYTHING), user=admin)
    expected_rows = {name: len(rows) - 1 for name, rows in EVERYTHING.items()}
    assert counts(again) == {name: (0, 0, n) for name, n in expected_rows.items()}
    assert counts(first) == {name: (n, 0, 0) for name, n in expected_rows.items()}


def test_an_assessment_answers_note_is_imported_and_exported(
    admin: Any, xlsx: Any, tmp_path: Path
) -> None:
    from scoretrack.outcomes.models import PracticeAnswer

    assert workbook_import(source=xlsx(EVERYTHING), user=admin).ok
    notes = PracticeAnswer.objects.order_by("assessment__date", "practice__code")
    assert [(a.practice.code, a.note) for a in notes] == [
        ("5s", "tools on the floor"),
        ("qp", ""),
        ("5s", ""),
    ]
    workbook_export(target=tmp_path / "out.xlsx", user=admin, fmt="xlsx")
    rows = read_xlsx(tmp_path / "out.xlsx")["assessments"]
    assert rows[0][-1] == "note" and rows[1][-1] == "tools on the floor"


def test_keys_dropped_from_the_reference_cache_are_fetched_again(
    admin: Any, xlsx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolver keeps a bounded number of keys per kind: one here, and rows one
    chunk at a time, so rows keep referring to keys it dropped (some created by
    this import) and they resolve to the same records."""
    monkeypatch.setattr(references, "CACHED", 1)
    monkeypatch.setattr(importer, "CHUNK", 1)
    prefetch, sizes = references.Resolver.prefetch, []

    def spied(resolver: references.Resolver, kind: str, keys: Any) -> None:
        keys = list(keys)
        prefetch(resolver, kind, keys)
        sizes.append((len(resolver._cache[kind]), len(set(keys))))

    monkeypatch.setattr(references.Resolver, "prefetch", spied)
    first = workbook_import(source=xlsx(EVERYTHING), user=admin)
    assert first.ok, first.problems
    again = workbook_import(source=xlsx(EVERYTHING), user=admin)
    assert again.ok, again.problems
    expected_rows = {name: len(rows) - 1 for name, rows in EVERYTHING.items()}
    assert counts(first) == {name: (n, 0, 0) for name, n in expected_rows.items()}
    assert counts(again) == {name: (0, 0, n) for name, n in expected_rows.items()}
    assert (
        sorted(Participant.objects.values_list("enterprise__key", "delivery__key"))
        == [("E1", "D1")] * 3
    )
    # No more than one key per kind was kept, beyond the keys one call asked for.
    assert all(cached <= max(1, asked) for cached, asked in sizes)


def test_it_converts_money_at_the_rate_of_the_same_workbook(admin: Any, xlsx: Any) -> None:
    workbook_import(source=xlsx(EVERYTHING), user=admin)
    # 800000 COP at 4000 COP per USD; the fee at the delivery's start date.
    assert sorted(DirectCost.objects.values_list("usd", flat=True)) == [
        Decimal("50.00"),
        Decimal("200.00"),
        Decimal("200.00"),
    ]
    assert Enrolment.objects.get(fee__isnull=False).fee_usd == Decimal("100.00")


def test_equal_rows_match_equal_records_one_to_one(admin: Any, csv_folder: Any) -> None:
    workbook_import(source=csv_folder(EVERYTHING), user=admin)
    sheets = dict(EVERYTHING)
    extra = ["D1", "E1", "male", "worker", "", "", "no", 4]
    sheets["participants"] = [*EVERYTHING["participants"], extra]
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert counts(report)["participants"] == (1, 0, 3)
    assert Participant.objects.filter(person="").count() == 3


def test_a_changed_cell_updates_the_record(admin: Any, csv_folder: Any) -> None:
    workbook_import(source=csv_folder(BASICS), user=admin)
    sheets = dict(BASICS)
    sheets["enterprises"] = [
        BASICS["enterprises"][0],
        ["E1", "Flores SAS", "CO", "Cundinamarca", "Flowers", "yes", ""],
        BASICS["enterprises"][2],
    ]
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert counts(report)["enterprises"] == (0, 1, 1)
    flores = Enterprise.objects.get(key="E1")
    assert flores.name == "Flores SAS"
    assert list(flores.lead_buyers.all()) == []
    assert [(h.history_type, h.history_user, h.name) for h in flores.history.all()] == [
        ("~", admin, "Flores SAS"),
        ("+", admin, "Flores SA"),
    ]
    assert (flores.created_by, flores.updated_by) == (admin, admin)


def test_a_dry_run_counts_but_changes_nothing(admin: Any, xlsx: Any) -> None:
    report = workbook_import(source=xlsx(BASICS), user=admin, dry_run=True)
    assert report.ok and not report.committed
    assert counts(report)["enterprises"] == (2, 0, 0)
    assert not CountryProgramme.objects.exists()


def test_export_import_export_gives_identical_sheets(admin: Any, xlsx: Any, tmp_path: Path) -> None:
    workbook_import(source=xlsx(EVERYTHING), user=admin)
    workbook_export(target=tmp_path / "one.xlsx", user=admin, fmt="xlsx")
    workbook_export(target=tmp_path / "one", user=admin, fmt="folder")
    first_xlsx, first_csv = read_xlsx(tmp_path / "one.xlsx"), read_folder(tmp_path / "one")
    for model in _all_models():
        model.objects.all().delete()
    assert not CountryProgramme.objects.exists()
    report = workbook_import(source=tmp_path / "one.xlsx", user=admin)
    assert report.ok, report.problems
    workbook_export(target=tmp_path / "two.xlsx", user=admin, fmt="xlsx")
    workbook_export(target=tmp_path / "two", user=admin, fmt="folder")
    assert read_xlsx(tmp_path / "two.xlsx") == first_xlsx
    assert read_folder(tmp_path / "two") == first_csv
    again = workbook_import(source=tmp_path / "two", user=admin)
    assert all(c.created == c.updated == 0 for c in again.counts.values())


def _all_models() -> list[Any]:
    """Every model the workbook holds, children before what they protect."""
    from scoretrack.enterprises.models import LeadBuyerLink
    from scoretrack.events.models import Event, EventParticipation
    from scoretrack.finance.models import Contribution, ExchangeRate
    from scoretrack.outcomes import models as outcomes
    from scoretrack.reference import models as reference
    from scoretrack.trainers.models import Milestone, Trainer
    from scoretrack.training.models import ConsultingVisit, Delivery

    return [
        outcomes.PracticeAnswer,
        outcomes.Assessment,
        outcomes.KpiObservation,
        outcomes.Initiative,
        outcomes.WorkerSurveyAnswer,
        outcomes.Practice,
        outcomes.Kpi,
        ConsultingVisit,
        Participant,
        Enrolment,
        DirectCost,
        Contribution,
        Delivery,
        Milestone,
        Trainer,
        LeadBuyerLink,
        Enterprise,
        EventParticipation,
        Event,
        reference.Agreement,
        reference.Target,
        Organisation,
        reference.Cluster,
        reference.Region,
        reference.Sector,
        ExchangeRate,
        reference.Module,
        reference.Phase,
        CountryProgramme,
    ]


def test_formula_like_text_is_neutralised_on_export_and_restored_on_import(
    admin: Any, csv_folder: Any, tmp_path: Path
) -> None:
    sheets = {
        "countries": [["code", "name"], ["CO", "Colombia"]],
        "organisations": [
            ["key", "name", "country", "type"],
            ["a", '=HYPERLINK("http://evil")', "CO", "donor"],
            ["b", "'quoted", "CO", "donor"],
            ["c", "@SUM(1)", "CO", "donor"],
        ],
    }
    workbook_import(source=csv_folder(sheets), user=admin)
    # A leading apostrophe is the escape: the importer strips one.
    names = dict(Organisation.objects.values_list("key", "name"))
    assert names == {"a": '=HYPERLINK("http://evil")', "b": "quoted", "c": "@SUM(1)"}
    workbook_export(target=tmp_path / "out", user=admin, fmt="folder", sheets=["organisations"])
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "organisations.csv").read_text())))
    assert rows[1:] == [
        ["a", '\'=HYPERLINK("http://evil")', "CO", "donor"],
        ["b", "quoted", "CO", "donor"],
        ["c", "'@SUM(1)", "CO", "donor"],
    ]
    workbook_export(target=tmp_path / "out.xlsx", user=admin, fmt="xlsx")
    assert read_xlsx(tmp_path / "out.xlsx")["organisations"][1][1] == '\'=HYPERLINK("http://evil")'


def test_a_zip_of_csv_files_imports_like_a_folder(admin: Any, tmp_path: Path) -> None:
    target = tmp_path / "book.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, rows in BASICS.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(f"export/{name}.csv", text.getvalue())
    report = workbook_import(source=target, user=admin)
    assert report.ok, report.problems
    assert sorted(Enterprise.objects.values_list("key", flat=True)) == ["E1", "E2"]


def test_a_csv_folder_imports_sheets_in_dependency_order(admin: Any, tmp_path: Path) -> None:
    report = workbook_import(source=write_csv_folder(tmp_path / "f", BASICS), user=admin)
    assert counts(report)["enterprises"] == (2, 0, 0)
    flores = Enterprise.objects.get(key="E1")
    assert (flores.region.name, flores.sector.name) == ("Cundinamarca", "Flowers")
    assert [o.key for o in flores.lead_buyers.all()] == ["buyer"]


keys = st.text(alphabet="ABCxyz019-_ '=+@", min_size=1, max_size=8).map(str.strip).filter(bool)
names = (
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
enterprise_rows = st.lists(
    st.tuples(
        keys,
        names,
        st.one_of(st.none(), st.integers(0, 10_000)),
        st.one_of(st.none(), st.booleans()),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[0],
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=enterprise_rows)
def test_enterprises_round_trip_through_export_and_import(
    admin: Any, tmp_path: Path, rows: list[tuple[Any, ...]]
) -> None:
    from django.db import transaction

    with transaction.atomic():
        colombia = CountryProgramme.objects.create(code="CO", name="Colombia")
        for key, name, workforce, unionised in rows:
            Enterprise.objects.create(
                key=key, name=name, country=colombia, workforce_male=workforce, unionised=unionised
            )
        workbook_export(target=tmp_path / "h.xlsx", user=admin, fmt="xlsx")
        Enterprise.objects.all().delete()
        report = workbook_import(source=tmp_path / "h.xlsx", user=admin)
        assert report.ok, report.problems
        found = set(Enterprise.objects.values_list("key", "name", "workforce_male", "unionised"))
        assert found == set(rows)
        transaction.set_rollback(True)


def test_dates_written_as_real_dates_are_accepted(admin: Any, xlsx: Any) -> None:
    report = workbook_import(
        source=xlsx(
            {"countries": [["code", "name", "start_date"], ["CO", "Co", dt.date(2011, 1, 1)]]}
        ),
        user=admin,
    )
    assert report.ok
    assert CountryProgramme.objects.get().start_date == dt.date(2011, 1, 1)


def test_a_changed_list_of_trainers_alone_updates_the_delivery(admin: Any, csv_folder: Any) -> None:
    from scoretrack.training.models import Delivery

    workbook_import(source=csv_folder(EVERYTHING), user=admin)
    sheets = dict(EVERYTHING)
    header, row = EVERYTHING["deliveries"]
    sheets["deliveries"] = [header, [*row[:-1], "T2"]]
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert counts(report)["deliveries"] == (0, 1, 0)
    assert [t.key for t in Delivery.objects.get().trainers.all()] == ["T2"]


def test_new_records_get_increasing_version_7_ids(admin: Any, xlsx: Any) -> None:
    workbook_import(source=xlsx(BASICS), user=admin)
    ids = list(Organisation.objects.order_by("id").values_list("id", "key"))
    assert [(i.version, key) for i, key in ids] == [(7, "sena"), (7, "buyer")]  # file order


def test_one_csv_file_is_the_sheet_it_is_named_after(admin: Any, tmp_path: Path) -> None:
    path = tmp_path / "countries.csv"
    path.write_text("code,name\nCO,Colombia\nPE,Peru\n")
    report = workbook_import(source=path, user=admin)
    assert counts(report) == {"countries": (2, 0, 0)}


def test_progress_is_reported_in_rows_of_the_whole_workbook(admin: Any, csv_folder: Any) -> None:
    seen: list[tuple[int, int]] = []
    workbook_import(
        source=csv_folder(BASICS), user=admin, progress=lambda d, t: seen.append((d, t))
    )
    # countries 1, modules 1, rates 1, organisations 2, enterprises 2: one chunk per sheet
    assert seen == [(1, 7), (2, 7), (3, 7), (5, 7), (7, 7)]
