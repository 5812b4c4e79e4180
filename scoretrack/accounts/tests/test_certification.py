"""Certification: the country team recommends, a global admin approves."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scoretrack.trainers.services import trainer_certify, trainer_recommend

LATER = dt.date(2016, 1, 10)


def test_recommend_then_approve_records_two_dated_steps_with_who(world: SimpleNamespace) -> None:
    team, hq = world.users["country"], world.users["global"]
    recommended = trainer_recommend(trainer=world.T_BO, user=team, date=LATER)
    certified = trainer_certify(trainer=world.T_BO, user=hq, date=dt.date(2016, 2, 1))
    assert (recommended.milestone, recommended.date, recommended.created_by) == (
        "recommended",
        LATER,
        team,
    )
    assert (certified.milestone, certified.created_by) == ("certified", hq)
    assert world.T_BO.status() == "certified"


def test_another_countrys_team_cannot_recommend(world: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        trainer_recommend(trainer=world.T_PE, user=world.users["country"], date=LATER)


def test_a_country_team_cannot_approve(world: SimpleNamespace) -> None:
    trainer_recommend(trainer=world.T_BO, user=world.users["country"], date=LATER)
    with pytest.raises(PermissionDenied):
        trainer_certify(trainer=world.T_BO, user=world.users["country"], date=LATER)


def test_approval_needs_a_recommendation_first(world: SimpleNamespace) -> None:
    with pytest.raises(ValidationError, match="recommend the trainer first"):
        trainer_certify(trainer=world.T_BO, user=world.users["global"], date=LATER)


def test_only_a_trained_trainer_can_be_recommended(world: SimpleNamespace) -> None:
    world.MS_BO.delete()
    with pytest.raises(ValidationError, match="trained before"):
        trainer_recommend(trainer=world.T_BO, user=world.users["country"], date=LATER)


def test_the_trainer_page_takes_both_steps(world: SimpleNamespace) -> None:
    from django.test import Client

    team, hq = Client(), Client()
    team.force_login(world.users["country"])
    hq.force_login(world.users["global"])
    page = f"/trainers/{world.T_BO.pk}/"
    assert "Recommend for certification" in team.get(page).content.decode()
    team.post(page + "certification/", {"step": "recommend"})
    assert world.T_BO.status() == "recommended"
    assert "Approve certification" not in team.get(page).content.decode()
    assert team.post(page + "certification/", {"step": "approve"}).status_code == 403
    assert "Approve certification" in hq.get(page).content.decode()
    hq.post(page + "certification/", {"step": "approve"})
    assert world.T_BO.status() == "certified"
    assert world.T_BO.milestones.get(milestone="certified").created_by == world.users["global"]


def test_another_countrys_trainer_page_is_404_for_certification(world: SimpleNamespace) -> None:
    from django.test import Client

    team = Client()
    team.force_login(world.users["country"])
    assert (
        team.post(f"/trainers/{world.T_PE.pk}/certification/", {"step": "recommend"}).status_code
        == 404
    )
