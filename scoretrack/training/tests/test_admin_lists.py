"""The admin's big lists read on indexes only (issue 21): ordered newest change first
(the sync index), filtered with fixed choices (no DISTINCT over the table), searched by
exact keys through the key indexes, in a fixed number of queries whatever the rows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoretrack.indicators.tests.conftest import Make

PARTICIPANTS = "/admin/training/participant/"


@pytest.fixture
def rows(db: Any) -> SimpleNamespace:
    """BO: deliveries D1, D2, firms A, B; PE: D3, firm C. Five participants, made in
    this order (so the newest change is the last):
    1. D1/A female worker, satisfaction 5   2. D1/A male manager, 3
    3. D1/B female worker, blank            4. D2/A male worker, 5
    5. D3/C female manager, 1 (Peru)"""
    make = Make()
    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C", country="PE")
    d1, d2 = make.delivery("D1"), make.delivery("D2", start="2020-05-01")
    d3 = make.delivery("D3", country="PE")
    made = [
        make.participant(d1, a, "female", "worker", satisfaction=5, name="one"),
        make.participant(d1, a, "male", "manager", satisfaction=3, name="two"),
        make.participant(d1, b, "female", "worker", name="three"),
        make.participant(d2, a, "male", "worker", satisfaction=5, name="four"),
        make.participant(d3, c, "female", "manager", satisfaction=1, name="five"),
    ]
    kpi = make.kpi("K1")
    make.observations(a, kpi, "2020-01", "1", "2")
    make.observations(c, kpi, "2020-01", "3")
    return SimpleNamespace(make=make, made=made, a=a, b=b, c=c, d1=d1)


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return [str(row) for row in response.context["cl"].result_list]


def test_participants_are_listed_newest_change_first(admin_client, rows):
    assert names(admin_client.get(PARTICIPANTS)) == ["five", "four", "three", "two", "one"]
    rows.made[0].save()  # changed now: first
    assert names(admin_client.get(PARTICIPANTS))[0] == "one"


def test_the_list_is_ordered_on_its_own_indexed_columns_and_never_distinct(admin_client, rows):
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(PARTICIPANTS)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("DISTINCT" in s for s in sql), sql
    (listed,) = [s for s in sql if s.startswith('SELECT "training_participant"."id"')]
    order = listed.rsplit("ORDER BY", 1)[1]
    assert order.split("LIMIT")[0].strip() == (
        '"training_participant"."updated_at" DESC, "training_participant"."id" DESC'
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(admin_client, rows):
    with CaptureQueriesContext(connection) as few:
        admin_client.get(PARTICIPANTS)
    for _ in range(5):
        rows.make.participant(rows.d1, rows.b, "male", "worker", satisfaction=2)
    with CaptureQueriesContext(connection) as more:
        admin_client.get(PARTICIPANTS)
    # session, user, the countries of the country filter, the count, the page
    assert len(few) == len(more) == 5


def test_satisfaction_is_filtered_with_fixed_choices(admin_client, rows):
    response = admin_client.get(PARTICIPANTS)
    (spec,) = [
        s
        for s in response.context["cl"].filter_specs
        if getattr(s, "parameter_name", "") == "satisfaction"
    ]
    offered = [choice["display"] for choice in spec.choices(response.context["cl"])]
    assert [str(label) for label in offered] == ["All", "1", "2", "3", "4", "5", "Blank"]
    assert names(admin_client.get(PARTICIPANTS + "?satisfaction=5")) == ["four", "one"]
    assert names(admin_client.get(PARTICIPANTS + "?satisfaction=none")) == ["three"]
    assert names(admin_client.get(PARTICIPANTS + "?satisfaction=1")) == ["five"]


def test_participants_are_found_by_the_exact_key_of_their_delivery_or_firm(admin_client, rows):
    assert names(admin_client.get(PARTICIPANTS + "?q=D2")) == ["four"]
    assert names(admin_client.get(PARTICIPANTS + "?q=B")) == ["three"]
    assert names(admin_client.get(PARTICIPANTS + "?q=A+D1")) == ["two", "one"]
    assert names(admin_client.get(PARTICIPANTS + "?q=D")) == []  # keys, not parts of keys
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(PARTICIPANTS + "?q=D2")
    assert not any("LIKE" in q["sql"] for q in queries.captured_queries)


def test_only_indexed_columns_sort_the_big_lists(admin_client, rows):
    cl = admin_client.get(PARTICIPANTS).context["cl"]
    assert list(cl.sortable_by) == ["updated_at"]
    cl = admin_client.get("/admin/enterprises/enterprise/?o=2").context["cl"]
    assert [str(firm) for firm in cl.result_list][:3] == ["A", "B", "C"]
    assert list(cl.sortable_by) == ["name", "key"]


def test_kpi_observations_newest_first_and_found_by_the_firms_key(admin_client, rows):
    url = "/admin/outcomes/kpiobservation/"
    listed = admin_client.get(url).context["cl"].result_list
    assert [(o.enterprise.key, o.value) for o in listed] == [("C", 3), ("A", 2), ("A", 1)]
    found = admin_client.get(url + "?q=A").context["cl"].result_list
    assert [(o.enterprise.key, o.value) for o in found] == [("A", 2), ("A", 1)]
