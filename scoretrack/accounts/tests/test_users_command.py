"""`scoretrack users add` gives roles with scopes, named by codes and keys."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from scoretrack.accounts.models import RoleAssignment, User


def test_it_adds_a_country_team_member(world: SimpleNamespace) -> None:
    out = StringIO()
    call_command(
        "users", "add", "new@x.org", "--role", "country_team", "--country", "PE", stdout=out
    )
    assignment = RoleAssignment.objects.get(user__email="new@x.org")
    assert assignment.role == "country_team"
    assert assignment.country == world.PE
    assert "new@x.org: Country team — Peru" in out.getvalue()


def test_adding_the_same_role_twice_keeps_one(world: SimpleNamespace) -> None:
    for _ in range(2):
        call_command("users", "add", "p@x.org", "--role", "partner", "--organisation", "P-BO")
    assert RoleAssignment.objects.filter(user__email="p@x.org").count() == 1


def test_a_user_can_hold_several_roles(world: SimpleNamespace) -> None:
    call_command("users", "add", "m@x.org", "--role", "partner", "--organisation", "P-PE")
    call_command("users", "add", "m@x.org", "--role", "enterprise", "--enterprise", "E-BO1")
    assert sorted(
        RoleAssignment.objects.filter(user__email="m@x.org").values_list("role", flat=True)
    ) == ["enterprise", "partner"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "country_team"], "the role country_team needs --country"),
        (["--role", "country_team", "--country", "XX"], "no country programme with code 'XX'"),
        (["--role", "partner", "--organisation", "NOPE"], "no organisation with key 'NOPE'"),
        (["--role", "trainer"], "the role trainer needs --trainer"),
    ],
)
def test_it_refuses_a_role_without_its_scope(
    world: SimpleNamespace, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("users", "add", "bad@x.org", *args)
    assert not User.objects.filter(email="bad@x.org").exists()


def test_remove_takes_every_role_and_deactivates(world: SimpleNamespace) -> None:
    call_command("users", "remove", "bo@x.org", stdout=StringIO())
    user = User.objects.get(email="bo@x.org")
    assert user.is_active is False
    assert user.roles.count() == 0
