"""`lib.hooks`: the scoping rules reach lib through hooks installed at start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from scoretrack.accounts import scoping
from scoretrack.accounts.models import User
from scoretrack.lib import hooks
from scoretrack.reference.models import CountryProgramme


def test_accounts_installs_its_scoping_rules_at_start_up() -> None:
    installed = hooks.scoping()

    assert installed.scope is scoping.scope
    assert installed.may_write is scoping.may_write
    assert installed.may_write_kind is scoping.may_write_kind


def test_without_rules_every_check_refuses_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_scoping", None)
    user = User(email="someone@example.org", is_superuser=True)

    with pytest.raises(ImproperlyConfigured, match="No scoping rules"):
        CountryProgramme.objects.visible_to(user)
    with pytest.raises(ImproperlyConfigured):
        hooks.may_write_kind(user, CountryProgramme)
