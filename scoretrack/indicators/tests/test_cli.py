"""`scoretrack values`: the API's JSON with --json, a table otherwise, errors exit 2."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(make: Make) -> None:
    make.phase("II", "2020-01-01", "2021-12-31")
    a, b = make.enterprise("A"), make.enterprise("B", country="PE")
    make.participant(make.delivery("d1", "M1", "2020-02-01"), a, "female")
    make.participant(make.delivery("d2", "M2", "2020-05-01", country="PE"), b, "male")


def run(*args: str) -> str:
    out = StringIO()
    call_command("values", *args, stdout=out)
    return out.getvalue()


def test_json_output_equals_the_apis(admin_client, small):
    printed = run(
        "--code",
        "smes_trained",
        "--code",
        "staff_trained_women_pct",
        "--phase",
        "II",
        "--by",
        "country",
        "--json",
    )
    api = admin_client.get(
        "/api/v1/indicators/values?code=smes_trained&code=staff_trained_women_pct&phase=II&by=country"
    ).json()
    assert json.loads(printed) == api
    assert api["values"] == {
        "smes_trained": {"BO": 1, "PE": 1},
        "staff_trained_women_pct": {"BO": 100.0, "PE": 0.0},
    }


def test_json_output_with_every_filter_kind(admin_client, small):
    printed = run(
        "--code",
        "staff_trained",
        "--country",
        "BO",
        "--from",
        "2020-01-01",
        "--to",
        "2020-03-01",
        "--json",
    )
    assert json.loads(printed) == {
        "filters": {"country": "BO", "from": "2020-01-01", "to": "2020-03-01"},
        "values": {"staff_trained": 1},
        "hidden": {},
        "targets": {},
    }


def test_the_table_shows_one_line_per_group(small):
    printed = run("--code", "smes_trained", "--code", "deliveries", "--by", "module")
    lines = printed.splitlines()
    assert lines[0] == 'filters: {"by": "module"}'
    assert lines[1].split() == ["indicator", "key", "value", "target"]
    assert [line.split() for line in lines[2:]] == [
        ["smes_trained", "M1", "1"],
        ["smes_trained", "M2", "1"],
        ["deliveries", "M1", "1"],
        ["deliveries", "M2", "1"],
    ]


def test_bad_input_is_an_error_with_exit_code_2(small):
    with pytest.raises(CommandError) as error:
        run("--code", "smes_happy", "--country", "XX")
    assert error.value.returncode == 2
    assert (
        str(error.value)
        == "code: unknown indicator code 'smes_happy'; country: unknown country 'XX'"
    )
