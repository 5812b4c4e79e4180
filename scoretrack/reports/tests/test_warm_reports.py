"""After an import (or any change) and at a start, the worker builds the reports people
open, and their PDFs, before anyone asks (issue 21): the next reader of the same
scope gets a kept report, without one query of the registry's records."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.exchange.services import workbook_import
from scoretrack.lib import freshness
from scoretrack.reports.cache import reader_key
from scoretrack.reports.tests.workers import idle_worker, turns
from scoretrack.reports.warm import plan

pytestmark = pytest.mark.django_db
PAGE = "/reports/country/BO/?phase=II"
PDF = PAGE + "&format=pdf"
PARTICIPANTS = "training_participant"  # what the registry's figures count


@pytest.fixture
def reader(programme: SimpleNamespace, admin: User) -> Client:
    """Another global admin than the one the worker builds as (hq@ sorts after ada@)."""
    other = User.objects.create_user(email="ada@example.org", password="pw-123456789")
    RoleAssignment.objects.create(user=other, role="global_admin")
    client = Client()
    client.force_login(admin)
    return client


def smes(response: Any) -> Any:
    return {fact.code: fact.value for fact in response.context["facts"]}["smes_trained"]


def import_firm_c_into_d1(tmp_path: Path, user: User) -> None:
    """C enrolled in D1 (2014-03-01) with one worker: Phase II counts A, B and C."""
    (tmp_path / "enrolments.csv").write_text("delivery,enterprise\nD1,C\n")
    (tmp_path / "participants.csv").write_text(
        "delivery,enterprise,sex,role,person,name\nD1,C,female,worker,,Rosa\n"
    )
    report = workbook_import(source=tmp_path, user=user)  # committed: the version moves on
    assert report.committed, [p.line() for p in report.problems]


def registry_reads(seen: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in seen.captured_queries if PARTICIPANTS in q["sql"]]


@pytest.mark.django_db(transaction=True)  # the import commits, as in the worker
def test_after_an_import_the_worker_leaves_the_page_and_pdf_kept(
    programme: SimpleNamespace,
    admin: User,
    reader: Client,
    warming: Any,
    printed: list[str],
    tmp_path: Path,
) -> None:
    worker = idle_worker()
    # At its start: the programme report and the profiles of Bolivia and Peru, all
    # time, phase I and phase II, as pages, the tracking tables of the programme,
    # Bolivia and Peru, then the reports' PDFs, for the one global scope.
    assert turns(worker, now=0.0) == 9 + 3 + 9
    assert len(printed) == 9
    import_firm_c_into_d1(tmp_path, admin)
    assert turns(worker, now=10.0) == 0  # looks again at most every 30 s
    assert turns(worker, now=40.0) == 21
    with CaptureQueriesContext(connection) as seen:
        page = reader.get(PAGE)
    assert smes(page) == 3
    assert registry_reads(seen) == []
    printed.clear()
    pdf = reader.get(PDF)
    assert pdf.content.startswith(b"%PDF")
    assert printed == []  # the worker's PDF, read back


def test_a_write_after_the_warm_up_is_counted_on_the_next_page(
    programme: SimpleNamespace, reader: Client, warming: Any, printed: list[str]
) -> None:
    assert turns(idle_worker(), now=0.0) == 21
    programme.make.participant(
        programme.make.delivery("D9", "M1", "2015-09-01"), programme.C, "female", "worker"
    )
    freshness.bump()  # what the write does once committed
    with CaptureQueriesContext(connection) as seen:
        page = reader.get(PAGE)
    assert smes(page) == 3
    assert registry_reads(seen) != []


def test_the_users_of_one_scope_share_their_reports_and_a_partner_has_its_own(
    programme: SimpleNamespace, admin: User
) -> None:
    team = [User.objects.create_user(email=f"{n}@example.org") for n in ("bo1", "bo2", "pe")]
    for user, code in zip(team, ("BO", "BO", "PE"), strict=True):
        RoleAssignment.objects.create(
            user=user, role="country_team", country=programme.make.country(code)
        )
    partner = User.objects.create_user(email="partner@example.org")
    RoleAssignment.objects.create(
        user=partner, role="partner", organisation=programme.make.org("P")
    )
    bo1, bo2, pe = (User.objects.get(pk=user.pk) for user in team)  # fresh access
    assert reader_key(bo1) == reader_key(bo2) != reader_key(pe)
    assert reader_key(admin) != reader_key(bo1)
    assert reader_key(partner) == f"user:{partner.pk}"


def test_the_plan_covers_each_scope_in_its_users_languages(
    programme: SimpleNamespace, admin: User, warming: Any
) -> None:
    team = User.objects.create_user(email="bo@example.org", language="es")
    RoleAssignment.objects.create(
        user=team, role="country_team", country=programme.make.country("BO")
    )
    made = plan()
    pages = [(p.user.email, p.language, p.country, p.phase, p.format) for p in made]
    reports = [page for page, p in zip(pages, made, strict=True) if p.kind == "report"]
    html = [page for page in reports if page[-1] == "html"]
    assert len(reports) == 2 * len(html)
    # The global scope: 3 reports x 3 periods in English; Bolivia's team: the
    # programme report and Bolivia's profile x 3 periods, in English and Spanish.
    assert len(html) == 9 + 2 * 6
    assert ("bo@example.org", "es", "BO", "II", "html") in html
    assert ("bo@example.org", "es", "PE", "II", "html") not in html
    # The tracking tables (by year, HTML; the downloads read the kept table): the
    # global scope's programme, Bolivia and Peru; the team's programme and Bolivia
    # in both languages; after the report pages, before their PDFs.
    tables = [(p.user.email, p.language, p.country) for p in made if p.kind == "tracking"]
    assert len(tables) == 3 + 2 * 2
    assert ("bo@example.org", "es", "BO") in tables
    assert ("bo@example.org", "es", "PE") not in tables
    kinds = [(p.kind, p.format) for p in made]
    assert kinds == sorted(
        kinds, key=[("report", "html"), ("tracking", "html"), ("report", "pdf")].index
    )


def test_a_kept_report_is_read_back_with_its_tables_already_rendered(
    programme: SimpleNamespace, reader: Client, warming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scoretrack.lib.tables import Table

    assert turns(idle_worker(), now=0.0) == 21
    rendered: list[str] = []
    original = Table.shown

    def spy(table: Table) -> Any:
        rendered.append(table.slug)
        return original(table)

    monkeypatch.setattr(Table, "shown", spy)
    page = reader.get(PAGE).content.decode()
    assert rendered == []
    assert page.count('<table class="data report-table">') >= 3
    recomputed = reader.get(PAGE + "&fresh=1").content.decode()  # a new build: drawn again
    assert rendered != []
    assert recomputed.count('<table class="data report-table">') == page.count(
        '<table class="data report-table">'
    )
