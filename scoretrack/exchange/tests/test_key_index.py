"""Keys are unique per country only, so the unique constraints' indexes start with the
country: the importer's and the resolver's `key IN (...)` across countries needs an
index of its own on every kind referred to by key (issue 21)."""

from __future__ import annotations

import pytest
from django.db import connection

from scoretrack.enterprises.models import Enterprise
from scoretrack.events.models import Event
from scoretrack.exchange.references import KINDS
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import Delivery

pytestmark = pytest.mark.django_db

KEYED = {
    Enterprise: "enterprise_key",
    Trainer: "trainer_key",
    Delivery: "delivery_key",
    Organisation: "organisation_key",
    Event: "event_key",
}


def test_every_kind_referred_to_by_key_is_listed_here():
    by_key = {model for model, field, _ in KINDS.values() if field == "key"}
    assert by_key == set(KEYED)


@pytest.mark.parametrize("model", list(KEYED), ids=lambda m: m.__name__)
def test_the_migrated_table_has_an_index_leading_with_the_key(model):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    index = found[KEYED[model]]
    assert index["index"] is True
    assert index["columns"] == ["key"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan format")
def test_a_key_look_up_across_countries_searches_the_index_on_sqlite():
    sql, params = Enterprise.objects.filter(key__in=["E-1", "E-2"]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX enterprise_key" in plan, plan
    assert "SCAN" not in plan.replace("SCAN CONSTANT", ""), plan
