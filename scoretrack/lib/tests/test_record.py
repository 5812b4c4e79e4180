"""Every record: a UUID, stamps, its author, and a history that survives deletion."""

from __future__ import annotations

import uuid

import pytest

from scoretrack.accounts.models import User
from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import CountryProgramme


def test_a_record_gets_a_uuid_and_its_authors(admin: User) -> None:
    editor = User.objects.create_user(email="editor@example.org", password="x")
    with acting_as(admin):
        peru = CountryProgramme.objects.create(code="PE", name="Peru")
    with acting_as(editor):
        peru.name = "Perú"
        peru.save()
    peru.refresh_from_db()
    assert isinstance(peru.id, uuid.UUID)
    assert peru.created_by == admin
    assert peru.updated_by == editor
    assert peru.updated_at >= peru.created_at


def test_history_keeps_each_change_with_who_made_it(admin: User) -> None:
    with acting_as(admin):
        peru = CountryProgramme.objects.create(code="PE", name="Peru")
        peru.name = "Perú"
        peru.save()
    records = list(peru.history.order_by("history_date"))
    assert [(r.history_type, r.name) for r in records] == [("+", "Peru"), ("~", "Perú")]
    assert records[1].history_user == admin


def test_a_deleted_record_can_be_seen_and_restored(admin: User) -> None:
    with acting_as(admin):
        peru = CountryProgramme.objects.create(code="PE", name="Peru")
        peru_id = peru.id
        peru.delete()
    assert not CountryProgramme.objects.filter(id=peru_id).exists()
    deleted = CountryProgramme.history.filter(id=peru_id, history_type="-").get()
    assert deleted.name == "Peru"
    deleted.prev_record.instance.save()
    restored = CountryProgramme.objects.get(id=peru_id)
    assert restored.name == "Peru"
    assert restored.code == "PE"


@pytest.mark.django_db
def test_nobody_signed_in_sees_nothing() -> None:
    CountryProgramme.objects.create(code="PE", name="Peru")
    assert CountryProgramme.objects.visible_to(None).count() == 0
