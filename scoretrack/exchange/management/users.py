"""The user a command acts as: scoping and author stamps need one."""

from __future__ import annotations

from django.core.management.base import CommandError

from scoretrack.accounts.models import User


def acting_user(email: str | None) -> User:
    """--user EMAIL, else the first superuser."""
    users = User.objects.filter(is_active=True)
    user = (
        users.filter(email__iexact=email).first()
        if email
        else users.filter(is_superuser=True).order_by("date_joined").first()
    )
    if user is None:
        raise CommandError(
            f"no active user {email}" if email else "no superuser to act as: pass --user EMAIL"
        )
    return user
