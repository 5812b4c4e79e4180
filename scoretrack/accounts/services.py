"""Writes about users: role assignments and API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from scoretrack.accounts.models import ROLE_NEEDS, ApiToken, Role, RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.reference.models import CountryProgramme, Organisation
from scoretrack.trainers.models import Trainer


def _one(queryset, what: str, key: str):  # type: ignore[no-untyped-def]
    matches = list(queryset[:2])
    if not matches:
        raise ValidationError(f"no {what} with key {key!r}")
    if len(matches) > 1:
        raise ValidationError(f"the {what} key {key!r} exists in several countries: add --country")
    return matches[0]


@transaction.atomic
def role_assign(
    *,
    email: str,
    role: str,
    country: str | None = None,
    organisation: str | None = None,
    enterprise: str | None = None,
    trainer: str | None = None,
    password: str | None = None,
) -> tuple[User, RoleAssignment]:
    """Give a user (created when new) a role with its scope, named by codes and keys."""
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}: use one of {', '.join(Role.values)}")
    country_obj = None
    if country:
        country_obj = CountryProgramme.objects.filter(code=country.upper()).first()
        if country_obj is None:
            raise ValidationError(f"no country programme with code {country!r}")
    refs: dict[str, object] = {}
    in_country = {"country": country_obj} if country_obj else {}
    if organisation:
        refs["organisation"] = _one(
            Organisation.objects.filter(key=organisation, **in_country),
            "organisation",
            organisation,
        )
    if enterprise:
        refs["enterprise"] = _one(
            Enterprise.objects.filter(key=enterprise, **in_country), "enterprise", enterprise
        )
    if trainer:
        refs["trainer"] = _one(
            Trainer.objects.filter(key=trainer, **in_country), "trainer", trainer
        )
    need = ROLE_NEEDS[Role(role)]
    if role == Role.COUNTRY_TEAM:
        refs["country"] = country_obj
    if need and refs.get(need) is None:
        raise ValidationError(f"the role {role} needs --{need}")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, **refs)
    return user, assignment


def token_create(*, email: str, name: str = "") -> str:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise ValidationError(f"no user with e-mail {email!r}")
    _, token = ApiToken.issue(user=user, name=name)
    return token
