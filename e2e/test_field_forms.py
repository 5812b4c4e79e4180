"""The field forms in the browser, offline: Ana, a trainer, fills an assessment of
Textiles Andina in ODK Web Forms at /collect/fill/, sends it with no connection (it
waits in the browser's outbox, counted on the page), and once the connection is back
sees it sent, on the enterprise page and in the country profile's practice figure.

Until collect-forms' `forms.py` and collect-server's `pipeline.py` land, the form and
`receive` are the stand-ins of `scoretrack/collect/tests/webforms_standin.py`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from e2e.test_flows import axe_violations
from e2e.test_trainer_flow import log_in, practice_rows
from e2e.test_trainer_flow import world as world
from scoretrack.collect.tests import webforms_standin
from scoretrack.collect.webforms import BUILD
from scoretrack.lib.current_user import acting_as
from scoretrack.outcomes.models import Assessment, Practice, PracticeAnswer


@pytest.fixture
def baseline(world: SimpleNamespace, hq: Any) -> Any:
    """Andina's baseline, entered before: 5S in place, no quality policy."""
    with acting_as(hq):
        assessment = Assessment.objects.create(
            enterprise=world.andina, kind="baseline", date=dt.date(2024, 1, 10)
        )
        for code, in_place in (("P1", True), ("P2", False)):
            PracticeAnswer.objects.create(
                assessment=assessment, practice=Practice.objects.get(code=code), in_place=in_place
            )
    return assessment


@pytest.fixture
def forms(monkeypatch: Any) -> Any:
    if not (BUILD / "fill.js").exists():
        pytest.fail(f"{Path(BUILD) / 'fill.js'} is missing: run `make install` (npm run build)")
    return webforms_standin.install(monkeypatch)


def question(page: Any, label: str) -> Any:
    """The question container whose label is `label` (the last one: repeats add more)."""
    return page.locator(".question-container", has=page.get_by_text(label, exact=True)).last


def fill_assessment(page: Any, date: str, answers: list[tuple[str, str]]) -> None:
    question(page, "Enterprise").get_by_text("Textiles Andina").click()
    question(page, "Kind").get_by_text("Progress").click()
    date_input = question(page, "Date").locator("input")
    date_input.fill(date)
    date_input.press("Enter")
    for index, (practice, answer) in enumerate(answers):
        if index:
            page.get_by_role("button", name="Add Practice").click()
        question(page, "Which practice").get_by_text(practice).click()
        question(page, "In place").get_by_text(answer, exact=True).click()


def test_an_assessment_sent_offline_is_written_when_the_connection_is_back(
    page: Any, phone: Any, live_server: Any, world: SimpleNamespace, baseline: Any, forms: Any
) -> None:
    log_in(page, live_server)
    assert practice_rows(page, live_server) == []  # a baseline alone: nothing compared
    page.goto(f"{live_server.url}/collect/fill/assessment/")
    status = page.locator("#outbox-count")
    status.get_by_text("Nothing is waiting to be sent.").wait_for()
    # The service worker controls the page once it has kept what the form needs.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    fill_assessment(page, "2024-06-05", [("Kaizen 5S", "Yes"), ("Quality policy", "Yes")])

    page.context.set_offline(True)
    page.get_by_role("button", name="Send", exact=True).click()
    status.get_by_text("1 submission waiting to be sent").wait_for()
    assert page.locator("#outbox-list li").all_inner_texts()[0].startswith("Assessment, ")
    assert forms.RECEIVED == {}
    # With no connection the page still opens (the service worker's copy), the
    # submission still waits (the outbox is in the browser), the form still renders.
    page.reload()
    status.get_by_text("1 submission waiting to be sent").wait_for()
    page.get_by_role("button", name="Add Practice").wait_for()
    assert question(page, "Enterprise").get_by_text("Textiles Andina").is_visible()
    assert forms.RECEIVED == {}
    screenshot(page, "field-form-offline-desktop")

    page.context.set_offline(False)
    status.get_by_text("Nothing is waiting to be sent.").wait_for()
    assert page.locator("#outbox-sent li").all_inner_texts() == ["Sent: Assessment."]
    (submission,) = forms.RECEIVED.values()
    assert (submission.state, submission.channel) == ("approved", "browser")

    # One the server cannot accept (dated after today) is kept for review, with why.
    fill_assessment(page, "2099-01-01", [("Kaizen 5S", "Yes")])
    page.get_by_role("button", name="Send", exact=True).click()
    today = dt.date.today().isoformat()
    page.locator("#outbox-sent li").nth(1).wait_for()
    assert page.locator("#outbox-sent li").all_inner_texts() == [
        f"Assessment: queued for review: an assessment cannot be dated after today ({today})",
        "Sent: Assessment.",
    ]
    status.get_by_text("Nothing is waiting to be sent.").wait_for()
    screenshot(page, "field-form-sent-desktop")

    page.goto(f"{live_server.url}/enterprises/{world.andina.pk}/")
    table = page.locator("#practices ~ .table-wrap table")
    assert table.locator("thead th").all_inner_texts() == [
        "Practice",
        "Baseline, 2024-01-10",
        "Progress, 2024-06-05",
        "Change",
    ]
    rows = [r.locator("th, td").all_inner_texts() for r in table.locator("tbody tr").all()]
    assert rows == [
        ["Kaizen 5S", "yes", "yes", "in place before"],
        ["Quality policy", "no", "yes", "newly implemented"],
    ]
    # The country profile's practice figure: 5S in place before, the quality policy
    # newly implemented, in Andina, the one firm assessed twice.
    assert practice_rows(page, live_server) == [
        ["Kaizen 5S", "100%", "0%"],
        ["Quality policy", "0%", "100%"],
    ]

    log_in(phone, live_server)
    phone.goto(f"{live_server.url}/collect/fill/assessment/")
    phone.get_by_role("button", name="Add Practice").wait_for()
    screenshot(phone, "field-form-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    # The form's own languages (its itext translations), switched in the engine.
    phone.locator(".language-changer:visible").click()
    phone.get_by_role("option", name="Español (es)").click()
    question(phone, "Empresa").get_by_text("Textiles Andina").wait_for()
    assert question(phone, "Tipo").locator(".text-content").all_inner_texts() == [
        "Línea de base",
        "Progreso",
    ]


def test_the_real_assessment_form_fills_and_sends(
    page: Any, live_server: Any, world: SimpleNamespace, baseline: Any, monkeypatch: Any
) -> None:
    """collect-forms' own assessment XForm (every practice of the catalogue answered,
    enterprises and assessors from attached CSVs) in the engine, sent through
    collect-server's pipeline (the stand-in `receive` until it is here)."""
    forms = pytest.importorskip(
        "scoretrack.collect.forms", reason="collect-forms' forms.py is not on this branch yet"
    )
    try:
        import scoretrack.collect.pipeline  # noqa: F401
    except ImportError:
        webforms_standin.install(monkeypatch, names=("pipeline",))
    assert (BUILD / "fill.js").exists(), "run `make install` (npm run build)"
    log_in(page, live_server)
    page.goto(f"{live_server.url}/collect/fill/assessment/")
    page.get_by_text("Nothing is waiting to be sent.").wait_for()
    question(page, "Enterprise").get_by_text("Textiles Andina (E1)").click()
    question(page, "Kind").get_by_text("Progress").click()
    date_input = question(page, "Date").locator("input")
    date_input.fill("2024-06-05")
    date_input.press("Enter")
    question(page, "Assessor").get_by_text("Ana Quispe (T1)").click()
    question(page, "Kaizen 5S").get_by_text("Yes", exact=True).click()
    question(page, "Quality policy").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Send", exact=True).click()
    title = str(forms.FORMS["assessment"].title)
    page.locator("#outbox-sent li").get_by_text(f"Sent: {title}.").wait_for()
    progress = Assessment.objects.get(kind="progress")
    assert (progress.enterprise, progress.date, progress.assessor) == (
        world.andina,
        dt.date(2024, 6, 5),
        world.ana,
    )
    assert sorted(progress.answers.values_list("practice__code", "in_place")) == [
        ("P1", True),
        ("P2", True),
    ]
    assert practice_rows(page, live_server) == [
        ["Kaizen 5S", "100%", "0%"],
        ["Quality policy", "0%", "100%"],
    ]
