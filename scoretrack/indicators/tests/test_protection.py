"""The disclosure rule (indicators/protection.py), rule by rule, on hand-made records.

Every expected value is worked out in the docstrings from the records the test
makes; the viewer asks through `evaluate`, as the API and the CLI do.
"""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import evaluate
from scoretrack.indicators.tests.conftest import Make, request_for
from scoretrack.reference.models import Organisation

pytestmark = pytest.mark.django_db


class Viewer:
    def __init__(self, user: User) -> None:
        self.user = user

    def __call__(self, *codes: str, **filters: Any) -> dict[str, Any]:
        return evaluate(self.user, request_for(*codes, **filters))

    def value(self, code: str, **filters: Any) -> Any:
        return self(code, **filters)["values"][code]

    def why(self, code: str, **filters: Any) -> Any:
        found = self(code, **filters)["hidden"].get(code)
        if found is None:
            return None
        if "reason" in found:
            return found["reason"]
        return {key: item["reason"] for key, item in found.items()}


@pytest.fixture
def viewer(db: Any) -> Viewer:
    user = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=user, role="viewer")
    return Viewer(user)


def trained(make: Make, start: str, firms: str, **where: Any) -> None:
    """One delivery starting on `start`, one participant from each named firm."""
    delivery = make.delivery(f"d-{start}-{firms}", start=start, **where)
    for key in firms:
        make.participant(delivery, firm(make, key, where.get("country", "BO")))


def firm(make: Make, key: str, country: str = "BO") -> Any:
    from scoretrack.enterprises.models import Enterprise

    found = Enterprise.objects.filter(key=key).first()
    return found or make.enterprise(key, country=country)


def test_a_figure_on_fewer_than_five_firms_is_hidden_and_says_why(make, viewer):
    """A, B, C, D trained in 2020: 4 firms, fewer than 5."""
    trained(make, "2020-03-01", "ABCD")
    answer = viewer("smes_trained", "staff_trained")
    assert answer["values"] == {"smes_trained": None, "staff_trained": None}
    assert answer["hidden"]["smes_trained"] == {
        "reason": "few",
        "who": "enterprises",
        "label": "fewer than 5 enterprises",
    }


def test_an_empty_figure_is_zero_not_hidden(make, viewer):
    trained(make, "2020-03-01", "ABCDE")
    assert viewer.value("smes_trained", year=2019) == 0
    assert viewer.why("smes_trained", year=2019) is None


def test_a_period_whose_difference_to_a_longer_one_is_one_firm_is_hidden(make, viewer):
    """2020-Q1: A..E (5); 2020-Q2: F (1). The year (6) minus Q1 would be F alone,
    so Q1 is hidden; Q2 rests on one firm; the year and all time show."""
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "F")
    assert viewer.value("smes_trained", year=2020) == 6
    assert viewer.value("smes_trained") == 6
    assert viewer.value("smes_trained", year=2020, quarter=1) is None
    assert viewer.why("smes_trained", year=2020, quarter=1) == "differencing"
    assert viewer.why("smes_trained", year=2020, quarter=2) == "few"
    # H1 holds both quarters: the same 6 firms as the year, shown.
    assert viewer.value("smes_trained", year=2020, half=1) == 6


def test_a_difference_of_five_firms_or_more_shows_both(make, viewer):
    """2020-Q1: A..E; 2020-Q2: F..J. Each quarter 5, the year 10: every
    difference is 5 firms."""
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "FGHIJ")
    assert viewer.value("smes_trained", year=2020, quarter=1) == 5
    assert viewer.value("smes_trained", year=2020, quarter=2) == 5
    assert viewer.value("smes_trained", year=2020) == 10


def test_a_partner_that_is_nearly_its_country_is_hidden(make, viewer):
    """In BO, AGI trained A..E and NPC trained F: BO (6) minus AGI (5) would be F."""
    agi, npc = make.org("AGI"), make.org("NPC")
    trained(make, "2020-02-01", "ABCDE", organiser=agi)
    trained(make, "2020-02-02", "F", organiser=npc)
    assert viewer.value("smes_trained", country="BO") == 6
    assert viewer.value("smes_trained", partner="AGI") is None
    assert viewer.why("smes_trained", partner="AGI") == "differencing"
    assert viewer.why("smes_trained", country="BO", partner="AGI") == "differencing"
    assert viewer.why("smes_trained", partner="NPC") == "few"


def test_a_breakdown_hides_a_second_group_so_the_total_cannot_reveal_the_first(make, viewer):
    """M1: A..E (5), M2: F..K (6), M3: L (1); the total is 12. M3 is hidden (one
    firm); the total minus M1 and M2 would be L, so the smallest group shown, M1,
    is hidden too. M2 (6) stays: the total minus M2 is 6 firms."""
    trained(make, "2020-02-01", "ABCDE", module="M1")
    trained(make, "2020-02-02", "FGHIJK", module="M2")
    trained(make, "2020-02-03", "L", module="M3")
    assert viewer.value("smes_trained", by="module") == {"M1": None, "M2": 6, "M3": None}
    assert viewer.why("smes_trained", by="module") == {"M1": "differencing", "M3": "few"}
    assert viewer.value("smes_trained") == 12


def test_a_group_of_a_breakdown_and_the_same_filter_get_the_same_answer(make, viewer):
    """BO: A..E (5); PE: F..K (6); CO: L (1). As in the breakdown above, CO is
    hidden and BO, the smallest shown, with it, whether asked by=country or country=."""
    trained(make, "2020-02-01", "ABCDE", country="BO")
    trained(make, "2020-02-02", "FGHIJK", country="PE")
    trained(make, "2020-02-03", "L", country="CO")
    assert viewer.value("smes_trained", by="country") == {"BO": None, "CO": None, "PE": 6}
    assert viewer.value("smes_trained", country="BO") is None
    assert viewer.value("smes_trained", country="PE") == 6
    assert viewer.why("smes_trained", country="BO") == "differencing"


def test_quarters_hide_a_second_one_so_the_year_cannot_reveal_a_lone_firm(make, viewer):
    """2020 Q1: A..E, Q2: F..J, Q3: K..P (6), Q4: Q (1). The year is 17; Q4 is
    hidden; the year minus Q1..Q3 would be Q, so the smallest quarter shown (Q1,
    5 firms, before Q2 by its key) is hidden too. Q3 is hidden as well: H2 (K..Q)
    minus Q3 would be Q. Q2 shows: H1 minus Q2 is 5 firms, the year minus Q2 12."""
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "FGHIJ")
    trained(make, "2020-08-01", "KLMNOP")
    trained(make, "2020-11-01", "Q")
    assert viewer.value("smes_trained", year=2020) == 17
    shown = {q: viewer.value("smes_trained", year=2020, quarter=q) for q in (1, 2, 3, 4)}
    assert shown == {1: None, 2: 5, 3: None, 4: None}
    assert viewer.why("smes_trained", year=2020, quarter=1) == "differencing"
    assert viewer.why("smes_trained", year=2020, quarter=3) == "differencing"
    assert viewer.value("smes_trained", year=2020, half=2) == 7


def test_staff_by_sex_hides_both_sexes_when_one_comes_from_a_single_firm(make, viewer):
    """Women from A..E, one man from F: the man is hidden (one firm), and the total
    minus the women would be F's staff, so the women are hidden too."""
    delivery = make.delivery("d1", start="2020-02-01")
    for key in "ABCDE":
        make.participant(delivery, make.enterprise(key), "female")
    make.participant(delivery, make.enterprise("F"), "male")
    assert viewer.value("staff_trained", by="sex") == {"female": None, "male": None}
    assert viewer.value("staff_trained") == 6


def test_trainer_figures_are_protected_per_trainer(make, viewer):
    """Certified in BO in 2020: T1..T5 (women) in Q1 and T6 (a man) in Q2."""
    for i in range(1, 7):
        trainer = make.trainer(f"T{i}", sex="female" if i < 6 else "male")
        make.milestone(trainer, "certified", "2020-02-01" if i < 6 else "2020-05-01")
    assert viewer.value("trainers_certified", year=2020) == 6
    assert viewer.value("trainers_certified", year=2020, quarter=2) is None
    hidden = viewer("trainers_certified", year=2020, quarter=2)["hidden"]["trainers_certified"]
    assert (hidden["reason"], hidden["who"]) == ("few", "trainers")
    assert hidden["label"] == "fewer than 5 trainers"
    assert viewer.value("trainers_certified", year=2020, by="sex") == {
        "female": None,
        "male": None,
    }


def test_the_workforce_by_sex_follows_its_firms(make, viewer):
    """A..E trained, 10 women and 20 men each: the workforce rests on 5 firms; by
    sex it is the same firms, so both halves show."""
    delivery = make.delivery("d1", start="2020-02-01")
    for key in "ABCDE":
        make.participant(delivery, make.enterprise(key, workforce_female=10, workforce_male=20))
    assert viewer.value("workforce_represented") == 150
    assert viewer.value("workforce_represented", by="sex") == {"female": 50, "male": 100}


def test_roles_that_see_records_see_everything(make, admin):
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "F")
    answer = evaluate(admin, request_for("smes_trained", year=2020, quarter=2))
    assert answer["values"] == {"smes_trained": 1}
    assert answer["hidden"] == {}


def test_a_lead_buyer_is_protected_the_same_way(make):
    """HM's suppliers: A..E trained in 2020-Q1, F in 2020-Q2."""
    hm = make.org("HM", type=Organisation.Type.LEAD_BUYER, country=None)
    for key in "ABCDEF":
        make.enterprise(key, buyers=(hm,))
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "F")
    user = User.objects.create(email="hm@example.org")
    RoleAssignment.objects.create(user=user, role="lead_buyer", organisation=hm)
    asked = Viewer(user)
    assert asked.value("smes_trained", year=2020) == 6
    assert asked.value("smes_trained", year=2020, quarter=1) is None
    assert asked.value("smes_trained", lead_buyer="HM", year=2020) == 6


def test_the_console_says_which_figures_are_hidden_and_why(make, viewer):
    """A..E trained in 2020-Q1 (one woman each), F in 2020-Q2 (one man): Q2 rests
    on one firm; by sex, the man is F alone and the women the total minus F."""
    from io import StringIO

    from django.core.management import call_command

    trained(make, "2020-02-01", "ABCDE")
    make.participant(make.delivery("d-F", start="2020-05-01"), make.enterprise("F"), "male")

    def printed(*options: str) -> list[str]:
        out = StringIO()
        call_command("values", "--code", "staff_trained", *options, "--user", viewer.user.email,
                     stdout=out)  # fmt: skip
        return [" ".join(line.split()) for line in out.getvalue().splitlines()[2:]]

    assert printed("--year", "2020", "--quarter", "2") == [
        "staff_trained hidden: fewer than 5 enterprises"
    ]
    assert printed("--year", "2020", "--by", "sex") == [
        "staff_trained female hidden: hidden so that a hidden figure cannot be worked out from it",
        "staff_trained male hidden: fewer than 5 enterprises",
    ]
    assert printed("--year", "2020") == ["staff_trained 6"]


def test_kept_counts_serve_one_version_of_the_data_only(make, viewer, settings):
    """With the counts kept: 4 firms (hidden); a fifth firm and the data version
    changes: the figure shows, never the kept answer."""
    from scoretrack.lib.freshness import bump

    settings.DISCLOSURE_CACHE_SECONDS = 60
    trained(make, "2020-02-01", "ABCD")
    assert viewer.value("smes_trained") is None
    trained(make, "2020-02-02", "E")
    bump()  # what a committed write does (lib/freshness.bump_on_commit)
    assert viewer.value("smes_trained") == 5


def test_a_share_rests_on_the_firms_of_its_denominator(make, viewer):
    """A..E trained: 5 SMEs, shown. Only A's ownership (women-owned) and workforce
    (3 women, 4 men) are recorded: the women-owned share and the workforce are
    about A alone, so they are hidden."""
    delivery = make.delivery("d1", start="2020-02-01")
    make.participant(
        delivery, make.enterprise("A", women_owned=True, workforce_female=3, workforce_male=4)
    )
    for key in "BCDE":
        make.participant(delivery, make.enterprise(key))
    answer = viewer("smes_trained", "smes_women_owned_pct", "workforce_represented")
    assert answer["values"] == {
        "smes_trained": 5,
        "smes_women_owned_pct": None,
        "workforce_represented": None,
    }
    assert answer["hidden"]["smes_women_owned_pct"]["reason"] == "few"


def test_a_share_of_women_rests_on_the_firms_whose_staff_gave_their_sex(make, viewer):
    """Participants from A..E; only A's participant gave her sex: the share of
    women (100 %) would be about A's staff alone."""
    delivery = make.delivery("d1", start="2020-02-01")
    make.participant(delivery, make.enterprise("A"), "female")
    for key in "BCDE":
        make.participant(delivery, make.enterprise(key), "undisclosed")
    assert viewer.value("staff_trained") == 5
    assert viewer.value("staff_trained_women_pct") is None


def test_viewers_share_the_kept_counts_of_their_common_scope(make, viewer, settings):
    """Two viewers see the same programme: the second reads the first's counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DISCLOSURE_CACHE_SECONDS = 60
    trained(make, "2020-02-01", "ABCDE")
    trained(make, "2020-05-01", "F")
    other = User.objects.create(email="viewer2@example.org")
    RoleAssignment.objects.create(user=other, role="viewer")
    with CaptureQueriesContext(connection) as first:
        assert viewer.value("smes_trained", year=2020, quarter=1) is None
    with CaptureQueriesContext(connection) as second:
        assert Viewer(other).value("smes_trained", year=2020, quarter=1) is None
    # The second asks the figure itself, but none of the grouped disclosure counts.
    assert len(second) < len(first)
    assert not any("GROUP BY" in query["sql"] for query in second.captured_queries)
    assert any("GROUP BY" in query["sql"] for query in first.captured_queries)


def test_populations_of_the_same_rows_are_counted_together(make, viewer):
    """2020: A (women-owned), B (not), C (ownership unknown; its participant did not
    give their sex); 2021: A, D (women-owned). Per year, SMEs trained: 2020 3,
    2021 2; with ownership known: 2020 2 (A, B), 2021 2; with a participant's sex
    known: 2020 2 (A, B), 2021 2. One query counts all three; the others read it:
    from the rows (the attendance tally set aside), and from the tally."""
    import dataclasses

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoretrack.indicators import populations
    from scoretrack.indicators.protection import Guard
    from scoretrack.indicators.registry import Filters
    from scoretrack.lib import derived

    a = make.enterprise("A", women_owned=True)
    b = make.enterprise("B", women_owned=False)
    c = make.enterprise("C")
    d = make.enterprise("D", women_owned=True)
    first = make.delivery("d2020", start="2020-03-01")
    second = make.delivery("d2021", start="2021-05-01")
    make.participant(first, a)
    make.participant(first, b, "male")
    make.participant(first, c, "undisclosed")
    make.participant(second, a)
    make.participant(second, d)
    derived.refresh()
    memo: dict[Any, Any] = {}
    by_year = (("period", "year"),)

    def table(population: Any) -> dict[tuple[str, ...], int]:
        return Guard(population, viewer.user, Filters(), memo).table((), by_year)

    rows = dataclasses.replace(populations.TRAINED_SMES, tally=None)
    for first_asked, counted in ((rows, "COUNT(DISTINCT"), (populations.TRAINED_SMES, "tally")):
        memo.clear()
        with CaptureQueriesContext(connection) as counting:
            assert table(first_asked) == {("2020",): 3, ("2021",): 2}
        # (Besides the user's scope and the derived rows' queue: one count.)
        assert sum(counted in q["sql"] for q in counting.captured_queries) == 1
        with CaptureQueriesContext(connection) as reading:
            assert table(populations.KNOWN_OWNERSHIP) == {("2020",): 2, ("2021",): 2}
            assert table(populations.KNOWN_SEX) == {("2020",): 2, ("2021",): 2}
            # The union is unknown for all five firms: no year has a firm with it known.
            assert table(populations.KNOWN_UNION) == {}
        assert len(reading) == 0
