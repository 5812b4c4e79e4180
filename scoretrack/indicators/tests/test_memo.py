"""A page's memo: a figure asked twice for the same filters is computed once, and
the counts behind disclosure control are shared by the figures resting on them."""

from __future__ import annotations

import pytest

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import compute
from scoretrack.indicators.tests.conftest import Make
from scoretrack.lib import derived

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_smes(make: Make) -> None:
    make.phase("II", "2020-01-01", "2021-12-31")
    delivery = make.delivery("d1", "M1", "2020-03-01")
    for key in "ABCD":
        make.participant(delivery, make.enterprise(key))


def test_a_figure_asked_again_is_computed_once(ask, four_smes, django_assert_num_queries):
    filters = ask.filters("smes_trained", phase="II")
    memo: dict = {}
    derived.refresh()  # the SMEs' attendance rows, written by the fixture
    with django_assert_num_queries(2):  # the attendance queue (empty), the count
        assert compute("smes_trained", ask.user, filters, memo=memo) == 4
    with django_assert_num_queries(0):
        assert compute("smes_trained", ask.user, filters, memo=memo) == 4


def test_suppression_reuses_the_counts_in_the_memo(ask, four_smes, django_assert_num_queries):
    donor = User.objects.create(email="donor@example.org")
    RoleAssignment.objects.create(user=donor, role="viewer")
    filters = ask.filters("staff_trained", phase="II")
    memo: dict = {}
    # Four SMEs: below the threshold of five, so the donor sees no figure.
    assert compute("smes_trained", donor, filters, memo=memo) is None
    assert compute("staff_trained", donor, filters, memo=memo) is None
    # Another figure on the staff's rows: its own query only; the decision is in the memo.
    with django_assert_num_queries(1):
        assert compute("staff_trained_workers_pct", donor, filters, memo=memo) is None
    assert compute("staff_trained", ask.user, filters) == 4


def test_the_two_practice_figures_of_a_page_share_one_count(
    ask, make: Make, django_assert_num_queries
):
    # Pairs (enterprise, practice), baseline -> latest progress:
    # E1 P5S no -> yes (new), E1 PQ no -> no, E2 P5S yes -> yes, E2 PQ yes -> yes.
    e1, e2 = make.enterprise("E1"), make.enterprise("E2")
    make.assessment(e1, "baseline", "2020-01-10", P5S=False, PQ=False)
    make.assessment(e1, "progress", "2020-06-01", P5S=True, PQ=False)
    make.assessment(e2, "baseline", "2020-01-10", P5S=True, PQ=True)
    make.assessment(e2, "progress", "2020-06-01", P5S=True, PQ=True)
    derived.refresh()
    memo: dict = {}
    total = ask.filters("practice_in_place_before_pct")
    with derived.refreshed_once():
        with django_assert_num_queries(2):  # the outcome queue, the count
            assert compute("practice_in_place_before_pct", ask.user, total, memo=memo) == 50.0
        with django_assert_num_queries(0):
            assert compute("practice_newly_implemented_pct", ask.user, total, memo=memo) == 25.0
        grouped = ask.filters("practice_newly_implemented_pct", by="practice")
        with django_assert_num_queries(1):
            assert compute("practice_newly_implemented_pct", ask.user, grouped, memo=memo) == {
                "P5S": 50.0,
                "PQ": 0.0,
            }
        with django_assert_num_queries(0):
            assert compute("practice_in_place_before_pct", ask.user, grouped, memo=memo) == {
                "P5S": 50.0,
                "PQ": 50.0,
            }
