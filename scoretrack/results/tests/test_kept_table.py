"""The tracking table kept like the reports (reports/cache.py) and made ahead of its
readers by the worker (reports/warm.py): a reader of the same scope, language,
filters and data version reads it back without one query of the records the
figures count; a write in between makes a new one. Values from the conftest's
fixture: smes_trained, the programme in 2014: A, B, C, D = 4; Bolivia: A, B, C = 3.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoretrack.lib import freshness
from scoretrack.reports.tests.workers import idle_worker, turns

pytestmark = pytest.mark.django_db
URL = "/results/tracking/"
PARTICIPANTS = "training_participant"  # what smes_trained and staff_trained count


@pytest.fixture
def reader(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def smes_in(response: Any, label: str) -> Any:
    assert response.status_code == 200
    row = next(r for r in response.context["table"].rows if r.indicator.code == "smes_trained")
    return next(cell.actual for cell in row.cells if cell.period.label == label)


def figure_reads(seen: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in seen.captured_queries if PARTICIPANTS in q["sql"]]


def test_the_second_reading_makes_no_figure_query(reader, tracked, warming):
    assert smes_in(reader.get(URL), "2014") == 4
    with CaptureQueriesContext(connection) as seen:
        again = reader.get(URL)
    assert smes_in(again, "2014") == 4
    assert figure_reads(seen) == []
    with CaptureQueriesContext(connection) as seen:
        assert reader.get(URL + "?format=csv").status_code == 200  # the same table, downloaded
    assert figure_reads(seen) == []
    with CaptureQueriesContext(connection) as seen:  # other filters: a table of its own
        assert smes_in(reader.get(URL + "?country=BO"), "2014") == 3
    assert figure_reads(seen) != []


def test_a_write_in_between_is_counted(reader, tracked, warming):
    assert smes_in(reader.get(URL), "2014") == 4
    make = tracked.make
    make.participant(
        make.delivery("D9", "M1", "2014-09-01"), make.enterprise("E"), "male", "worker"
    )
    freshness.bump()  # what the write does once committed
    assert smes_in(reader.get(URL), "2014") == 5


def test_the_worker_makes_the_default_tables_of_the_programme_and_each_country(
    reader, tracked, warming, printed
):
    assert turns(idle_worker(), now=0.0) > 0
    with CaptureQueriesContext(connection) as seen:
        programme = reader.get(URL)
        bolivia = reader.get(URL + "?country=BO")
        peru = reader.get(URL + "?country=PE")
    assert (smes_in(programme, "2014"), smes_in(bolivia, "2014"), smes_in(peru, "2014")) == (
        4,
        3,
        1,
    )
    assert figure_reads(seen) == []
    with CaptureQueriesContext(connection) as seen:  # quarters: not made ahead
        assert smes_in(reader.get(URL + "?period=quarter"), "2014 Q2") == 2
    assert figure_reads(seen) != []


def test_a_reader_in_another_language_has_its_own_table(reader, tracked, warming):
    reader.get(URL)
    with CaptureQueriesContext(connection) as seen:
        assert smes_in(reader.get(URL, HTTP_ACCEPT_LANGUAGE="es"), "2014") == 4
    assert figure_reads(seen) != []
