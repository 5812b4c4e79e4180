"""Fixed periods (a year's half or quarter), and aggregates-only roles asking for
fixed periods only: two overlapping date ranges would tell one firm apart (issue 17)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.management.commands.values import Command as ValuesCommand
from scoretrack.indicators.tests.conftest import Make
from scoretrack.reference.models import Target
from scoretrack.reports.figures import Figures

pytestmark = pytest.mark.django_db
VALUES = "/api/v1/indicators/values"
FIXED_ONLY = (
    "lead buyers and viewers ask for a fixed period (phase, year, half or quarter),"
    " not a date range"
)


@pytest.fixture
def year_2016(make: Make) -> None:
    """Deliveries organised by AGI in BO, one participant per firm:
    2016-03-10 A; 2016-06-30 B; 2016-07-01 C; 2016-08-15 D and E; 2017-01-01 F.
    So 2016: 5 SMEs; H1 2 (A, B), H2 3; Q1 1, Q2 1, Q3 3, Q4 0. A 2016 target of 9."""
    agi = make.org("AGI")
    for key, start, firms in (
        ("d1", "2016-03-10", "A"),
        ("d2", "2016-06-30", "B"),
        ("d3", "2016-07-01", "C"),
        ("d4", "2016-08-15", "DE"),
        ("d5", "2017-01-01", "F"),
    ):
        delivery = make.delivery(key, start=start, organiser=agi)
        for firm in firms:
            make.participant(delivery, make.enterprise(firm))
    Target.objects.create(indicator="smes_trained", year=2016, value=9)


def client_of(email: str, role: str, **where: Any) -> Client:
    user = User.objects.create_user(email=email, password="pw-123456789")
    RoleAssignment.objects.create(user=user, role=role, **where)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(db: Any) -> Client:
    return client_of("donor@example.org", "viewer")


@pytest.fixture
def lead_buyer(make: Make) -> Client:
    return client_of(
        "buyer@example.org", "lead_buyer", organisation=make.org("HM", "lead_buyer", None)
    )


def get(client: Client, query: str) -> Any:
    return client.get(f"{VALUES}?{query}")


def detail_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.content
    return response.json()["detail"]


# --- half and quarter --------------------------------------------------------------


def test_a_half_counts_the_records_of_its_six_months(admin_client, year_2016):
    response = get(admin_client, "code=smes_trained&year=2016&half=1")
    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"year": 2016, "half": 1}
    assert body["values"] == {"smes_trained": 2}
    assert body["targets"] == {}
    second = get(admin_client, "code=smes_trained&year=2016&half=2").json()
    assert second["values"] == {"smes_trained": 3}


def test_a_quarter_counts_the_records_of_its_three_months(admin_client, year_2016):
    counts = {
        quarter: get(admin_client, f"code=smes_trained&year=2016&quarter={quarter}").json()
        for quarter in (1, 2, 3, 4)
    }
    assert {q: body["values"]["smes_trained"] for q, body in counts.items()} == {
        1: 1,
        2: 1,
        3: 3,
        4: 0,
    }
    assert counts[3]["filters"] == {"year": 2016, "quarter": 3}


def test_the_years_target_is_not_a_halfs(admin_client, year_2016):
    assert get(admin_client, "code=smes_trained&year=2016").json()["targets"] == {"smes_trained": 9}
    assert get(admin_client, "code=smes_trained&year=2016&half=2").json()["targets"] == {}
    assert get(admin_client, "code=smes_trained&year=2016&quarter=1").json()["targets"] == {}


def test_half_or_quarter_without_year_is_a_400_naming_it(admin_client, year_2016):
    assert detail_of(get(admin_client, "code=smes_trained&half=1")) == [
        {"field": "half", "message": "give year with half"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&quarter=2")) == [
        {"field": "quarter", "message": "give year with quarter"}
    ]


def test_a_half_or_quarter_out_of_range_is_a_400_naming_it(admin_client, year_2016):
    assert detail_of(get(admin_client, "code=smes_trained&year=2016&half=3")) == [
        {"field": "half", "message": "half is 1 or 2, not 3"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&year=2016&quarter=0")) == [
        {"field": "quarter", "message": "quarter is 1 to 4, not 0"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&year=2016&quarter=q3"))[0]["field"] == (
        "quarter"
    )


def test_half_and_quarter_together_are_a_400(admin_client, year_2016):
    assert detail_of(get(admin_client, "code=smes_trained&year=2016&half=2&quarter=3")) == [
        {"field": "quarter", "message": "give half or quarter, not both"}
    ]


def test_one_period_kind_only(admin_client, make, year_2016):
    make.phase("II", "2015-01-01", "2017-12-31")
    assert detail_of(get(admin_client, "code=smes_trained&phase=II&year=2016")) == [
        {"field": "year", "message": "give only one of phase, year or from/to"}
    ]
    detail = detail_of(get(admin_client, "code=smes_trained&year=2016&half=1&from=2016-01-01"))
    assert detail == [{"field": "from", "message": "give only one of phase, year or from/to"}]


# --- aggregates-only roles: fixed periods only ---------------------------------------

ATTACK = "code=smes_trained&code=workforce_represented&partner=AGI&from=2010-01-01&to=2016-09-24"


def test_a_viewer_cannot_ask_for_a_date_range(viewer, year_2016):
    assert detail_of(get(viewer, ATTACK)) == [{"field": "from", "message": FIXED_ONLY}]
    assert detail_of(get(viewer, "code=smes_trained&to=2016-09-25")) == [
        {"field": "to", "message": FIXED_ONLY}
    ]


def test_a_lead_buyer_cannot_ask_for_a_date_range(lead_buyer, year_2016):
    # AGI is not among the partners a lead buyer's suppliers train with: no partner filter.
    query = "code=smes_trained&code=workforce_represented&from=2010-01-01&to=2016-09-24"
    assert detail_of(get(lead_buyer, query)) == [{"field": "from", "message": FIXED_ONLY}]


def test_a_viewer_asks_for_fixed_periods(viewer, year_2016):
    # 5 SMEs in 2016, at the threshold, but all time (6) minus 2016 would be F
    # alone: 2016 is hidden, all time shows.
    whole = get(viewer, "code=smes_trained&partner=AGI&year=2016").json()
    assert whole["values"] == {"smes_trained": None}
    assert whole["hidden"]["smes_trained"]["reason"] == "differencing"
    ever = get(viewer, "code=smes_trained&partner=AGI").json()
    assert ever["values"] == {"smes_trained": 6}
    half = get(viewer, "code=smes_trained&partner=AGI&year=2016&half=2")
    assert half.status_code == 200
    assert half.json()["filters"] == {"partner": "AGI", "year": 2016, "half": 2}


def test_a_viewer_gives_one_value_per_filter(viewer, make, year_2016):
    make.org("NPC")
    assert detail_of(get(viewer, "code=smes_trained&partner=AGI&partner=NPC&year=2016")) == [
        {"field": "partner", "message": "given 2 times: give it once"}
    ]


def test_records_roles_keep_date_ranges(admin_client, make, year_2016):
    assert get(admin_client, ATTACK).json()["values"]["smes_trained"] == 5
    partner = client_of("agi@example.org", "partner", organisation=make.org("AGI2"))
    response = get(partner, "code=smes_trained&from=2016-01-01&to=2016-12-31")
    assert response.status_code == 200


# --- the console ---------------------------------------------------------------------


def run_command_line(*args: str) -> int:
    """`scoretrack values ...` as the shell runs it: the exit status."""
    try:
        ValuesCommand().run_from_argv(["scoretrack", "values", *args])
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


@pytest.fixture
def no_connection_closing(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_from_argv closes the connections when done, the test's own among them.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_a_viewer_on_the_console_cannot_ask_for_a_date_range(
    year_2016, viewer, capsys, no_connection_closing
):
    status = run_command_line(
        *("--code", "smes_trained", "--partner", "AGI", "--user", "donor@example.org"),
        *("--from", "2010-01-01", "--to", "2016-09-24"),
    )
    printed = capsys.readouterr()
    assert status == 2
    assert printed.out == ""
    assert printed.err == f"CommandError: from: {FIXED_ONLY}\n"


def test_a_viewer_on_the_console_asks_for_a_quarter(year_2016, viewer):
    out = StringIO()
    call_command(
        "values",
        *("--code", "smes_trained", "--year", "2016", "--quarter", "3"),
        *("--user", "donor@example.org", "--json"),
        stdout=out,
    )
    assert out.getvalue().startswith('{"filters": {"year": 2016, "quarter": 3}')


def test_the_console_takes_half_and_quarter(year_2016):
    out = StringIO()
    call_command("values", "--code", "smes_trained", "--year", "2016", "--half", "1", stdout=out)
    assert out.getvalue().splitlines()[0] == 'filters: {"year": 2016, "half": 1}'
    assert out.getvalue().splitlines()[2].split() == ["smes_trained", "2"]


def test_the_console_takes_one_value_per_filter(year_2016):
    with pytest.raises(CommandError, match="--partner given twice: give it once"):
        call_command("values", "--code", "smes_trained", "--partner", "A", "--partner", "B")


def test_the_console_refuses_a_half_without_year(year_2016):
    with pytest.raises(CommandError) as error:
        call_command("values", "--code", "smes_trained", "--half", "2")
    assert error.value.returncode == 2
    assert str(error.value) == "half: give year with half"


# --- report pages --------------------------------------------------------------------


def test_a_reports_period_label_names_the_half_or_quarter(admin, year_2016):
    half = Figures.for_request(admin, country=None, phase=None, year=2016, half=2)
    assert half.period_label() == "2016 H2"
    assert half.get("smes_trained") == 3
    quarter = Figures.for_request(admin, country=None, phase=None, year=2016, quarter=3)
    assert quarter.period_label() == "2016 Q3"
