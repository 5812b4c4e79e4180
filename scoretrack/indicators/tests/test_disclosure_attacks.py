"""Issue 17: the differencing attacks on small-number protection, as concrete tests.

Aggregates-only users (viewers/donors, lead buyers) must not learn about one firm
or one person. Suppressing each figure over fewer than T (DISCLOSURE_THRESHOLD, 5)
firms is not enough: two overlapping questions whose shown answers differ by one
firm give that firm away. These tests replay the attacks of the issue:

(a) a viewer differencing two date ranges a day apart, then every pair of fixed
    periods and place filters it may ask instead;
(b) a lead buyer isolating 3 of its 8 suppliers, trained in a later quarter;
(c) trainer figures, which were never suppressed: one woman certified in a quarter.

and check that roles that may see records still get every figure (guarantee 4).
The specification is in the brief of issue 17 (and docs/INDICATORS.md, "Disclosure
control"); the property test (test_disclosure_property.py) checks the same rules on
random data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db
VALUES = "/api/v1/indicators/values"
FIRM_CODES = ("smes_trained", "workforce_represented", "smes_women_owned_pct")


# --- users and questions ---------------------------------------------------------


def user_with(email: str, role: str, **scope: Any) -> User:
    user = User.objects.create_user(email=email, password="pw-123456-x")
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client: Client, codes: tuple[str, ...], **params: Any) -> dict[str, Any]:
    """The JSON answer of /values, which must be a 200."""
    query = [("code", code) for code in codes] + list(params.items())
    response = client.get(VALUES, query)
    assert response.status_code == 200, (params, response.json())
    return response.json()


# A period as the parameters that ask for it, and its first and last day; all time
# spans everything.
@dataclass(frozen=True)
class Period:
    name: str
    params: tuple[tuple[str, Any], ...]
    start: dt.date
    end: dt.date

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end


def all_time() -> Period:
    return Period("all time", (), dt.date.min, dt.date.max)


def year(y: int) -> Period:
    return Period(str(y), (("year", y),), dt.date(y, 1, 1), dt.date(y, 12, 31))


def half(y: int, h: int) -> Period:
    first, last = (
        (dt.date(y, 1, 1), dt.date(y, 6, 30))
        if h == 1
        else (
            dt.date(y, 7, 1),
            dt.date(y, 12, 31),
        )
    )
    return Period(f"{y} H{h}", (("year", y), ("half", h)), first, last)


def quarter(y: int, q: int) -> Period:
    first = dt.date(y, 3 * q - 2, 1)
    last = dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)
    return Period(f"{y} Q{q}", (("year", y), ("quarter", q)), first, last - dt.timedelta(days=1))


def periods_of(*years: int) -> list[Period]:
    """All time, each year, each half and each quarter of `years`."""
    found = [all_time()]
    for y in years:
        found += [year(y), half(y, 1), half(y, 2)] + [quarter(y, q) for q in (1, 2, 3, 4)]
    return found


@dataclass(frozen=True)
class Cell:
    """One question: a period and place filters (the filters as a frozen set of pairs)."""

    period: Period
    places: frozenset[tuple[str, str]]

    def within(self, other: Cell) -> bool:
        """Structurally a part of `other`: a period inside, the same filters or more."""
        return self.period.within(other.period) and other.places <= self.places

    def __str__(self) -> str:
        places = ", ".join(f"{k}={v}" for k, v in sorted(self.places)) or "everywhere"
        return f"({self.period.name}, {places})"


def answers(
    client: Client,
    codes: tuple[str, ...],
    periods: list[Period],
    place_options: dict[str, tuple[str | None, ...]],
    implied: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> dict[Cell, dict[str, Any]]:
    """The values of `codes` for every period and every combination of the place
    filters' options (None: not given). `implied` adds a filter another implies (a
    partner of one country is inside that country), so that inclusion is seen."""
    found = {}
    names = list(place_options)
    for period in periods:
        for choice in itertools.product(*(place_options[name] for name in names)):
            given = {name: value for name, value in zip(names, choice, strict=True) if value}
            values = ask(client, codes, **dict(period.params), **given)["values"]
            places = set(given.items())
            for pair in list(places):
                if implied and pair in implied:
                    places.add(implied[pair])
            found[Cell(period, frozenset(places))] = values
    return found


def nested_pairs(cells: dict[Cell, Any]) -> list[tuple[Cell, Cell]]:
    """Every pair (A, B) of distinct questions where A is structurally a part of B."""
    return [(a, b) for a in cells for b in cells if a != b and a.within(b)]


# --- (a) a viewer and a lone firm ------------------------------------------------


@pytest.fixture
def lone(make: Make) -> dict[str, Any]:
    """Partner AGI (Bolivia) trained ten firms B1..B10 in 2015 (workforce 100 each)
    and in 2016: F1, F2 in Q1; F3, F4, F5 in Q2; F5 again on 2016-08-01; and LONE,
    women-owned, 14 women + 28 men, alone on 2016-09-25. Another partner, OTR,
    trained G1..G5 on 2016-09-30. Every firm but LONE (sector Textiles) is in sector
    Food, and every workforce but LONE's is a multiple of 100: a difference of
    workforces equal to 42 can only be LONE's. F1 is women-owned too."""
    make.phase("II", "2015-01-01", "2017-12-31")
    agi, otr = make.org("AGI"), make.org("OTR")

    def firms(prefix: str, n: int, **fields: Any) -> list[Any]:
        return [
            make.enterprise(
                f"{prefix}{i}", sector="Food", workforce_female=40, workforce_male=60, **fields
            )
            for i in range(1, n + 1)
        ]

    def train(key: str, start: str, organiser: Any, *trained: Any) -> None:
        delivery = make.delivery(key, "M1", start, organiser=organiser)
        for firm in trained:
            make.participant(delivery, firm, "female")
            make.participant(delivery, firm, "male")

    train("d2015", "2015-06-01", agi, *firms("B", 10, women_owned=False))
    f1, f2, f3, f4, f5 = firms("F", 5, women_owned=False)
    f1.women_owned = True
    f1.save()
    lone = make.enterprise(
        "LONE", sector="Textiles", workforce_female=14, workforce_male=28, women_owned=True
    )
    train("q1", "2016-02-01", agi, f1, f2)
    train("q2", "2016-05-02", agi, f3, f4, f5)
    train("q3", "2016-08-01", agi, f5)
    train("lone", "2016-09-25", agi, lone)
    train("otr", "2016-09-30", otr, *firms("G", 5, women_owned=False))
    return {"agi": agi, "lone": lone}


def viewer_client() -> Client:
    return client_of(user_with("donor@example.org", "viewer"))


def test_a_viewer_asking_a_date_range_gets_a_400(lone):
    viewer = viewer_client()
    codes = "code=smes_trained&code=workforce_represented&code=smes_women_owned_pct"
    for to in ("2016-09-24", "2016-09-25"):
        response = viewer.get(f"{VALUES}?{codes}&partner=AGI&from=2010-01-01&to={to}")
        assert response.status_code == 400, response.json()
        fields = {item["field"] for item in response.json()["detail"]}
        assert fields & {"from", "to"}, response.json()
    assert viewer.get(f"{VALUES}?{codes}&to=2016-09-25").status_code == 400


def isolates_the_lone_firm(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """What the difference of two answers (A inside B) gives away about one firm, if
    both are shown: one SME (with the women-owned shares, its flag), or LONE's 42."""
    smes = a["smes_trained"], b["smes_trained"]
    workforce = a["workforce_represented"], b["workforce_represented"]
    if None not in smes and smes[1] - smes[0] == 1:
        return f"smes_trained {smes[0]} -> {smes[1]}: one firm"
    if None not in workforce and workforce[1] - workforce[0] == 42:
        return f"workforce_represented {workforce[0]} -> {workforce[1]}: LONE's 42"
    return None


def test_no_pair_of_fixed_periods_and_places_isolates_the_lone_firm_for_a_viewer(lone):
    """Whichever two nested questions the viewer asks (2016 Q3 vs 2016, 2016 vs all
    time, H2 vs Q3, the partner vs its country, the sector vs everything, a phase vs
    its year...), one of the two is hidden, or their difference is not one firm."""
    viewer = viewer_client()
    phase = Period("phase II", (("phase", "II"),), dt.date(2015, 1, 1), dt.date(2017, 12, 31))
    cells = answers(
        viewer,
        FIRM_CODES,
        [*periods_of(2015, 2016), phase],
        {"country": (None, "BO"), "partner": (None, "AGI"), "sector": (None, "Food")},
        implied={("partner", "AGI"): ("country", "BO")},
    )
    # The attack is there to be made: 2016 holds LONE and 5 other firms of AGI.
    assert any(values["smes_trained"] is not None for values in cells.values())
    leaks = [
        f"{a} vs {b}: {leak}"
        for a, b in nested_pairs(cells)
        if (leak := isolates_the_lone_firm(cells[a], cells[b]))
    ]
    assert not leaks, "\n".join(leaks)


def test_by_year_and_by_country_answer_like_the_filters_they_stand_for(lone):
    """A group of `by=year` is the `year=` cell and a group of `by=country` the
    `country=` cell: what one hides the other does not show."""
    viewer = viewer_client()
    for code in ("smes_trained",):
        by_year = ask(viewer, (code,), partner="AGI", by="year")["values"][code]
        for y in ("2015", "2016"):
            alone = ask(viewer, (code,), partner="AGI", year=int(y))["values"][code]
            assert by_year.get(y) == alone, (y, by_year, alone)
    for code in FIRM_CODES:
        for params in ({}, {"year": 2016}, {"year": 2016, "half": 2}, {"year": 2016, "quarter": 3}):
            by_country = ask(viewer, (code,), by="country", **params)["values"][code]
            alone = ask(viewer, (code,), country="BO", **params)["values"][code]
            assert by_country.get("BO") == alone, (code, params, by_country, alone)


def test_a_hidden_figure_says_why(lone):
    """AGI's 2016 Q3 rests on F5 and LONE: hidden, as too few enterprises."""
    answer = ask(viewer_client(), FIRM_CODES, partner="AGI", year=2016, quarter=3)
    assert answer["values"] == dict.fromkeys(FIRM_CODES)
    for code in FIRM_CODES:
        assert answer["hidden"][code]["reason"] == "few"
        assert answer["hidden"][code]["who"] == "enterprises"
        assert answer["hidden"][code]["label"]


def test_roles_that_see_records_get_every_figure_with_nothing_hidden(make, lone):
    """Guarantee 4: an admin, Bolivia's country team and partner AGI get AGI's 2016 Q3
    (F5 and LONE: 2 SMEs, 100 + 42 workers, one of two women-owned), and the date
    ranges a day apart (LONE's 42 workers and its flag), with nothing hidden."""
    admin = User.objects.create_superuser(email="hq@example.org", password="pw-hq-123456")
    users = [
        admin,
        user_with("bo@example.org", "country_team", country=make.country("BO")),
        user_with("agi@example.org", "partner", organisation=lone["agi"]),
    ]
    # Country BO's 2016 Q3 holds F5, LONE and G1..G5; the partner counts its own.
    bolivia_q3 = {admin: 7, users[1]: 7, users[2]: 2}
    for user in users:
        client = client_of(user)
        q3 = ask(client, FIRM_CODES, partner="AGI", year=2016, quarter=3)
        assert q3["values"] == {
            "smes_trained": 2,
            "workforce_represented": 142,
            "smes_women_owned_pct": 50,
        }, user.email
        assert q3["hidden"] == {}
        before = ask(
            client, FIRM_CODES, partner="AGI", **{"from": "2010-01-01", "to": "2016-09-24"}
        )
        after = ask(client, FIRM_CODES, partner="AGI", **{"from": "2010-01-01", "to": "2016-09-25"})
        assert (before["values"]["smes_trained"], after["values"]["smes_trained"]) == (15, 16)
        assert (
            after["values"]["workforce_represented"] - before["values"]["workforce_represented"]
            == 42
        )
        assert before["hidden"] == after["hidden"] == {}
        by_country = ask(client, FIRM_CODES, by="country", year=2016, quarter=3)
        assert by_country["values"]["smes_trained"] == {"BO": bolivia_q3[user]}
        assert by_country["hidden"] == {}


# --- (b) a lead buyer and three of its suppliers -----------------------------------


@pytest.fixture
def suppliers(make: Make) -> Any:
    """Lead buyer HM buys from S1..S8 in Bolivia (sector Food). AGI trained S1..S5 on
    2016-02-10 (Q1; workforce 100 each) and S6, S7, S8 on 2016-05-10 (Q2; workforce
    7, 11 and 13). Firm X, no supplier of HM, was trained with S6..S8."""
    hm = make.org("HM", type="lead_buyer", country=None)
    agi = make.org("AGI")
    q1 = make.delivery("q1", "M1", "2016-02-10", organiser=agi)
    q2 = make.delivery("q2", "M2", "2016-05-10", organiser=agi)
    for i in range(1, 6):
        firm = make.enterprise(
            f"S{i}", sector="Food", buyers=(hm,), workforce_female=50, workforce_male=50
        )
        make.participant(q1, firm)
    for i, workforce in zip((6, 7, 8), (7, 11, 13), strict=True):
        firm = make.enterprise(
            f"S{i}", sector="Food", buyers=(hm,), workforce_female=workforce, workforce_male=0
        )
        make.participant(q2, firm)
    make.participant(q2, make.enterprise("X", sector="Food", workforce_male=1000))
    return client_of(user_with("hm@example.org", "lead_buyer", organisation=hm))


def test_a_lead_buyer_asking_a_date_range_gets_a_400(suppliers):
    response = suppliers.get(f"{VALUES}?code=smes_trained&from=2016-01-01&to=2016-03-31")
    assert response.status_code == 400
    assert {item["field"] for item in response.json()["detail"]} & {"from", "to"}


def test_no_pair_of_questions_isolates_three_suppliers_for_a_lead_buyer(suppliers):
    """2016 holds 8 suppliers and 2016 Q1 five of them: shown both, their difference
    would be S6..S8 (3 firms, 31 workers). Whatever two nested questions the lead
    buyer asks, one of them is hidden or the difference is 0 or at least 5 firms."""
    cells = answers(
        suppliers,
        ("smes_trained", "workforce_represented"),
        periods_of(2016),
        # AGI is not an organisation the lead buyer may name: no partner filter.
        {"country": (None, "BO"), "sector": (None, "Food"), "lead_buyer": (None, "HM")},
    )
    # The lead buyer counts its own suppliers only (X is not one), and is shown some
    # figures: the 8 suppliers (all time, for instance) are not hidden everywhere.
    shown = {values["smes_trained"] for values in cells.values()} - {None}
    assert 8 in shown and not shown & {9}, shown
    leaks = []
    for a, b in nested_pairs(cells):
        smes = cells[a]["smes_trained"], cells[b]["smes_trained"]
        workforce = cells[a]["workforce_represented"], cells[b]["workforce_represented"]
        if None not in smes and 0 < smes[1] - smes[0] < 5:
            leaks.append(f"{a} vs {b}: smes_trained {smes[0]} -> {smes[1]}")
        if None not in workforce and workforce[1] - workforce[0] == 31:
            leaks.append(f"{a} vs {b}: workforce {workforce[0]} -> {workforce[1]}: S6..S8's")
    assert not leaks, "\n".join(leaks)


# --- (c) trainers: one woman certified in a quarter ---------------------------------


@pytest.fixture
def certified(make: Make) -> None:
    """Bolivia certified one woman, W, on 2016-05-10 (Q2), and six men: M1 on
    2016-04-15 and M2 on 2016-06-01 (Q2), M3..M6 in Q3 and Q4 2016. Peru certified
    five women in 2016 Q2 (so that trainers are counted in that quarter at all)."""
    make.milestone(make.trainer("W", "female"), "certified", "2016-05-10")
    dates = ["2016-04-15", "2016-06-01", "2016-07-20", "2016-08-20", "2016-10-20", "2016-11-20"]
    for i, date in enumerate(dates, start=1):
        make.milestone(make.trainer(f"M{i}", "male"), "certified", date)
    for i in range(1, 6):
        make.milestone(make.trainer(f"P{i}", "female", country="PE"), "certified", "2016-05-02")


def few_trainers(why: Any) -> None:
    assert (why["reason"], why["who"]) == ("few", "trainers"), why
    assert why["label"]


def test_one_woman_certified_in_a_quarter_is_hidden_from_a_viewer(certified):
    viewer = viewer_client()
    answer = ask(viewer, ("trainers_certified",), country="BO", year=2016, quarter=2, by="sex")
    assert answer["values"]["trainers_certified"].get("female") is None
    few_trainers(answer["hidden"]["trainers_certified"]["female"])
    # The quarter's total rests on 3 trainers: hidden as well.
    total = ask(viewer, ("trainers_certified",), country="BO", year=2016, quarter=2)
    assert total["values"]["trainers_certified"] is None
    few_trainers(total["hidden"]["trainers_certified"])


def test_no_quarter_half_or_year_gives_one_certified_trainer_away(certified):
    """Asked quarter by quarter, by half and by year, by sex or not, no shown figure
    is one trainer, and the year's total less its men (6) does not leave the woman."""
    viewer = viewer_client()
    for period in periods_of(2016):
        params = dict(period.params)
        total = ask(viewer, ("trainers_certified",), country="BO", **params)
        by_sex = ask(viewer, ("trainers_certified",), country="BO", by="sex", **params)
        groups = by_sex["values"]["trainers_certified"]
        shown = [total["values"]["trainers_certified"], *groups.values()]
        assert not any(value is not None and 0 < value < 5 for value in shown), (period, shown)
        if total["values"]["trainers_certified"] is not None and groups.get("male") is not None:
            difference = total["values"]["trainers_certified"] - groups["male"]
            assert difference == 0 or difference >= 5, (period.name, total, by_sex)


def run_values(*args: str) -> Any:
    out = StringIO()
    call_command("values", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_with_user_hides_the_woman_too(certified):
    user_with("donor@example.org", "viewer")
    printed = run_values(
        "--code", "trainers_certified", "--country", "BO", "--year", "2016", "--quarter", "2",
        "--by", "sex", "--user", "donor@example.org", "--json",
    )  # fmt: skip
    assert printed["values"]["trainers_certified"].get("female") is None
    few_trainers(printed["hidden"]["trainers_certified"]["female"])


def test_a_lead_buyer_does_not_see_the_woman_either(make, certified):
    hm = make.org("HM", type="lead_buyer", country=None)
    client = client_of(user_with("hm@example.org", "lead_buyer", organisation=hm))
    answer = ask(client, ("trainers_certified",), country="BO", year=2016, quarter=2, by="sex")
    assert answer["values"]["trainers_certified"].get("female") in (None, 0)
    printed = run_values(
        "--code", "trainers_certified", "--country", "BO", "--year", "2016", "--quarter", "2",
        "--by", "sex", "--user", "hm@example.org", "--json",
    )  # fmt: skip
    assert printed["values"]["trainers_certified"].get("female") in (None, 0)


def test_an_admin_sees_the_woman(certified, admin_client):
    answer = ask(
        admin_client, ("trainers_certified",), country="BO", year=2016, quarter=2, by="sex"
    )
    assert answer["values"] == {"trainers_certified": {"female": 1, "male": 2}}
    assert answer["hidden"] == {}


# --- participations: a difference within the same firms ------------------------------


@pytest.fixture
def same_firms(make: Make) -> None:
    """Bolivia's partner PB trained one man of each of E1..E5 on 2015-04-01; the
    global partner PA trained one more man of E3, in Bolivia, on 2015-06-10, and one
    man of each of P1..P5 in Peru on 2015-03-11. So Bolivia's 2015 and PB's 2015
    rest on the same five firms, and differ by E3's second participation, which
    PA's figure in Bolivia (one firm) hides; PA's figure everywhere (6 firms) and
    PB's (5) may show. (A property-test example, made by hand.)"""
    pb, pa = make.org("PB"), make.org("PA", country=None)
    firms = [make.enterprise(f"E{i}") for i in range(1, 6)]
    by_pb = make.delivery("pb", "M1", "2015-04-01", organiser=pb)
    for firm in firms:
        make.participant(by_pb, firm, "male")
    make.participant(make.delivery("pa", "M2", "2015-06-10", organiser=pa), firms[2], "male")
    in_peru = make.delivery("pa-pe", "M1", "2015-03-11", country="PE", organiser=pa)
    for i in range(1, 6):
        make.participant(in_peru, make.enterprise(f"P{i}", country="PE"), "male")


def test_staff_of_one_firm_are_not_given_away_by_a_partner_and_its_country(same_firms):
    """Guarantee 2 counts the firms with a record in the bigger cell and not in the
    smaller one (here E3), not the firms missing from the smaller cell (none): for a
    count of participations, Bolivia's 6 men less PB's 5 is E3's man trained by PA."""
    viewer = viewer_client()
    assert ask(viewer, ("staff_trained",), country="BO", partner="PA", year=2015)["values"] == {
        "staff_trained": None
    }
    leaks = []
    for smaller in ({"country": "BO", "partner": "PB"}, {"partner": "PB"}):
        for by in ({}, {"by": "sex"}):
            a = ask(viewer, ("staff_trained",), year=2015, **smaller, **by)["values"]
            b = ask(viewer, ("staff_trained",), year=2015, country="BO", **by)["values"]
            a, b = a["staff_trained"], b["staff_trained"]
            a, b = (a.get("male"), b.get("male")) if by else (a, b)
            if None not in (a, b) and 0 < b - a < 5:
                leaks.append(f"{smaller} {by}: {a} inside country=BO {b}")
    assert not leaks, leaks
