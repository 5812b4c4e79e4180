"""A page's memo: a figure asked twice for the same filters is computed once, and
the `smes_trained` counts behind suppression are shared with the figure itself."""

from __future__ import annotations

import pytest

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import compute
from scoretrack.indicators.tests.conftest import Make

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
    with django_assert_num_queries(1):
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
    with django_assert_num_queries(1):  # staff_trained only; the counts are in the memo
        assert compute("staff_trained", donor, filters, memo=memo) is None
    assert compute("staff_trained", ask.user, filters) == 4
