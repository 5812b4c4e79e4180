"""Assessments: one form for an enterprise's baseline or progress assessment, one
answer per practice of the catalogue, written through the kinds' write rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown
from scoretrack.outcomes.models import Assessment, PracticeAnswer


def create_url(enterprise: Any) -> str:
    return reverse("outcomes:assessment-create", args=[enterprise.pk])


def answers(assessment: Assessment) -> list[tuple[str, bool, str]]:
    rows = PracticeAnswer.objects.filter(assessment=assessment).order_by("practice__code")
    return [(a.practice.code, a.in_place, a.note) for a in rows]


def form(w: SimpleNamespace, **values: str) -> dict[str, Any]:
    """A posted assessment of Ana: baseline of 10 Jan 2024, 5S yes, quality no, OSH not
    assessed, unless `values` says otherwise."""
    data = {
        "kind": "baseline",
        "date": "2024-01-10",
        "assessor": str(w.ana.pk),
        f"practice-{w.p5s.pk}": "yes",
        f"note-{w.p5s.pk}": "5S boards in the cutting room",
        f"practice-{w.quality.pk}": "no",
        f"note-{w.quality.pk}": "",
        f"practice-{w.osh.pk}": "skip",
        f"note-{w.osh.pk}": "",
    }
    data.update(values)
    return data


@pytest.fixture
def ana(page_world: SimpleNamespace, login: Callable[..., Client]) -> Client:
    return login("trainer", trainer=page_world.ana)


def saved(
    page_world: SimpleNamespace, admin: Any, kind: str, day: str, **in_place: bool
) -> Assessment:
    with acting_as(admin):
        assessment = Assessment.objects.create(
            enterprise=page_world.andina,
            kind=kind,
            date=dt.date.fromisoformat(day),
            assessor=page_world.ana,
        )
        for code, value in in_place.items():
            PracticeAnswer.objects.create(
                assessment=assessment, practice=getattr(page_world, code), in_place=value
            )
    return assessment


def test_the_form_lists_every_practice_and_the_trainer_is_the_assessor(
    ana: Client, page_world: SimpleNamespace
) -> None:
    page = ana.get(create_url(page_world.andina)).content.decode()
    for name in ("Kaizen 5S", "Quality policy", "OSH policy"):
        assert name in page
    shown = as_shown(ana, create_url(page_world.andina))
    assert shown["assessor"] == [str(page_world.ana.pk)]
    # Only herself: Luis, of the same country, is not hers to name.
    assert "Ana Quispe" in page and "Luis Mamani" not in page


def test_a_trainer_records_a_baseline_of_an_enterprise_it_is_assigned_to(
    ana: Client, page_world: SimpleNamespace
) -> None:
    response = ana.post(create_url(page_world.andina), form(page_world))
    assert response.status_code == 302
    assert response.url == f"/enterprises/{page_world.andina.pk}/#assessments"
    assessment = Assessment.objects.get()
    assert (assessment.enterprise, assessment.kind, assessment.date, assessment.assessor) == (
        page_world.andina,
        "baseline",
        dt.date(2024, 1, 10),
        page_world.ana,
    )
    assert assessment.created_by == ana.user
    # OSH "not assessed": no answer stored.
    assert answers(assessment) == [
        ("P1", True, "5S boards in the cutting room"),
        ("P2", False, ""),
    ]


def test_editing_changes_removes_and_adds_answers(
    ana: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    assessment = saved(page_world, admin, "baseline", "2024-01-10", p5s=True, quality=False)
    url = reverse("outcomes:assessment-edit", args=[assessment.pk])
    data = as_shown(ana, url)
    assert data[f"practice-{page_world.p5s.pk}"] == ["yes"]
    assert data[f"practice-{page_world.osh.pk}"] == ["skip"]  # never answered
    data[f"practice-{page_world.p5s.pk}"] = ["skip"]
    data[f"practice-{page_world.quality.pk}"] = ["yes"]
    data[f"note-{page_world.quality.pk}"] = ["policy signed in March"]
    data[f"practice-{page_world.osh.pk}"] = ["no"]
    response = ana.post(url, data)
    assert response.status_code == 302
    assert answers(assessment) == [("P2", True, "policy signed in March"), ("P3", False, "")]


def test_a_missing_answer_is_shown_at_its_practice_and_nothing_is_written(
    ana: Client, page_world: SimpleNamespace
) -> None:
    data = form(page_world)
    del data[f"practice-{page_world.quality.pk}"]
    response = ana.post(create_url(page_world.andina), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {f"practice-{page_world.quality.pk}": ["Answer yes, no or not assessed."]}
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Assessment.objects.exists() and not PracticeAnswer.objects.exists()


def test_a_date_after_today_is_refused_at_the_date(
    ana: Client, page_world: SimpleNamespace
) -> None:
    response = ana.post(create_url(page_world.andina), form(page_world, date="2999-01-01"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date"]
    assert not Assessment.objects.exists()


def test_an_assessment_with_no_practice_answered_is_refused(
    ana: Client, page_world: SimpleNamespace
) -> None:
    data = form(
        page_world,
        **{f"practice-{page_world.p5s.pk}": "skip", f"practice-{page_world.quality.pk}": "skip"},
    )
    response = ana.post(create_url(page_world.andina), data)
    assert response.context["form"].non_field_errors() == [
        "Answer at least one practice yes or no."
    ]
    assert not Assessment.objects.exists()


def test_a_second_baseline_on_the_same_day_is_a_form_error(
    ana: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    saved(page_world, admin, "baseline", "2024-01-10", p5s=False)
    response = ana.post(create_url(page_world.andina), form(page_world))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Assessment with this Enterprise, Kind and Date already exists."
    ]
    assert Assessment.objects.count() == 1


def test_a_trainer_cannot_assess_an_enterprise_it_is_not_assigned_to(
    ana: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    assert ana.get(create_url(page_world.sol)).status_code == 404
    assert ana.post(create_url(page_world.sol), form(page_world)).status_code == 404
    with acting_as(admin):
        other = Assessment.objects.create(
            enterprise=page_world.sol, kind="baseline", date=dt.date(2024, 1, 1)
        )
    assert ana.get(reverse("outcomes:assessment-edit", args=[other.pk])).status_code == 404
    assert ana.post(reverse("outcomes:assessment-delete", args=[other.pk])).status_code == 404
    assert Assessment.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    "role,scope",
    [("partner", "cainco"), ("enterprise", "andina")],
)
def test_roles_that_do_not_assess_get_403(
    login: Callable[..., Client], page_world: SimpleNamespace, admin: Any, role: str, scope: str
) -> None:
    field = "organisation" if role == "partner" else "enterprise"
    client = login(role, **{field: getattr(page_world, scope)})
    # They see the enterprise, but may not assess it.
    assert (
        client.get(
            reverse("enterprises:enterprise-detail", args=[page_world.andina.pk])
        ).status_code
        == 200
    )
    response = client.post(create_url(page_world.andina), form(page_world))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assessment = saved(page_world, admin, "baseline", "2024-01-10", p5s=True)
    edit = reverse("outcomes:assessment-edit", args=[assessment.pk])
    assert client.post(edit, form(page_world, kind="progress")).status_code == 403
    assert Assessment.objects.get().kind == "baseline"


@pytest.mark.parametrize("role", ["viewer", "lead_buyer"])
def test_aggregate_only_roles_do_not_find_the_enterprise(
    login: Callable[..., Client], page_world: SimpleNamespace, role: str
) -> None:
    scope = {"organisation": page_world.buyer} if role == "lead_buyer" else {}
    client = login(role, **scope)
    assert client.get(create_url(page_world.andina)).status_code == 404


def test_deleting_an_assessment_takes_its_answers(
    ana: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    assessment = saved(page_world, admin, "baseline", "2024-01-10", p5s=True, quality=False)
    url = reverse("outcomes:assessment-delete", args=[assessment.pk])
    page = ana.get(url).content.decode()
    assert "Kaizen 5S" in page  # the answers going with it are listed
    response = ana.post(url, as_shown(ana, url))
    assert response.status_code == 302
    assert response.url == f"/enterprises/{page_world.andina.pk}/#assessments"
    assert not Assessment.objects.exists() and not PracticeAnswer.objects.exists()


def test_the_enterprise_page_shows_baseline_and_latest_progress_side_by_side(
    ana: Client, page_world: SimpleNamespace, admin: Any
) -> None:
    saved(page_world, admin, "baseline", "2024-01-10", p5s=True, quality=False)
    saved(page_world, admin, "progress", "2024-03-01", p5s=False, quality=False)
    saved(page_world, admin, "progress", "2024-06-05", p5s=True, quality=True, osh=False)
    response = ana.get(reverse("enterprises:enterprise-detail", args=[page_world.andina.pk]))
    section = response.content.decode().split('id="practices"')[1].split("</table>")[0]
    assert "Baseline, 2024-01-10" in section and "Progress, 2024-06-05" in section
    assert "2024-03-01" not in section
    rows = [row.split("</tr>")[0] for row in section.split("<tr>")[2:]]
    cells = [[c.split(">", 1)[1].split("<")[0].strip() for c in r.split("<t")[1:]] for r in rows]
    assert cells == [
        ["Kaizen 5S", "yes", "yes", "in place before"],
        ["Quality policy", "no", "yes", "newly implemented"],
        ["OSH policy", "—", "no", "—"],
    ]
    # The list: newest first, practices in place of those answered.
    listed = response.content.decode().split('id="assessments"')[1].split("</table>")[0]
    assert listed.index("2024-06-05") < listed.index("2024-03-01") < listed.index("2024-01-10")
    assert "2 of 3" in listed and "0 of 2" in listed and "1 of 2" in listed


def test_recorded_assessments_change_the_country_profiles_practice_figure(
    ana: Client, page_world: SimpleNamespace
) -> None:
    def practices() -> list[list[Any]]:
        report = ana.get("/reports/country/BO/?format=json").json()
        section = next(s for s in report["sections"] if s["slug"] == "figure-13-practices")
        return section["rows"]

    assert practices() == []
    ana.post(create_url(page_world.andina), form(page_world))  # 5S yes, quality no
    progress = {
        "kind": "progress",
        "date": "2024-06-05",
        f"practice-{page_world.quality.pk}": "yes",
        f"practice-{page_world.osh.pk}": "no",
    }
    ana.post(create_url(page_world.andina), form(page_world, **progress))
    # Andina alone: 5S in place before (100 % before, 0 % new); quality not in place
    # before and in place since (0 % before, 100 % new); OSH never at baseline.
    assert sorted(practices()) == [["Kaizen 5S", 100.0, 0.0], ["Quality policy", 0.0, 100.0]]
