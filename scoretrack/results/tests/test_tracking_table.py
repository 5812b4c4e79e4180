"""The tracking table of the hand-worked programme of conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoretrack.results.tracking import Ask, tracking_table

pytestmark = pytest.mark.django_db

IN_2015 = dt.date(2015, 6, 1)  # every quarter of 2014 is over


def grid(table: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Per indicator: (target, cumulative, actual, % of target rounded to 0.01, status)."""
    return {
        row.indicator.code: [
            (
                c.target,
                c.cumulative,
                c.actual,
                None if c.percent is None else round(c.percent, 2),
                c.status,
            )
            for c in row.cells
        ]
        for row in table.rows
    }


def bolivia_2014(**ask: Any) -> Ask:
    fields = {"country": "BO", "period": "quarter", "first_year": 2014, "last_year": 2014}
    return Ask(**{**fields, "today": IN_2015, **ask})


def test_targets_per_quarter_and_cumulative_against_actuals(admin, tracked):
    table = tracking_table(admin, bolivia_2014())
    assert [p.label for p in table.periods] == ["2014 Q1", "2014 Q2", "2014 Q3", "2014 Q4"]
    assert table.chain_country is None  # Bolivia follows the programme's chain
    assert [(r.level.key, r.indicator.code, r.baseline) for r in table.rows] == [
        ("OP1", "smes_trained", 1),
        ("OP1", "staff_trained", 1),
    ]
    assert grid(table)["smes_trained"] == [
        (1.0, False, 1, 100.0, "on_track"),
        (2.0, False, 1, 50.0, "behind"),
        # cumulative: A, B, C from the start to 2014-09-30 = 3 of 3.3 = 90.91% >= 90%
        (3.3, True, 3, 90.91, "on_track"),
        (2.0, False, 1, 50.0, "behind"),
    ]
    assert grid(table)["staff_trained"] == [
        (None, False, 2, None, ""),
        (None, False, 2, None, ""),
        (None, False, 1, None, ""),
        (None, False, 1, None, ""),
    ]


def test_a_target_is_pro_rated_in_the_quarter_under_way(admin, tracked):
    # 2014-11-15: 46 of Q4's 92 days gone, so 1 of its target of 2 is due: 1 SME is on track.
    table = tracking_table(admin, bolivia_2014(today=dt.date(2014, 11, 15)))
    assert grid(table)["smes_trained"][3] == (2.0, False, 1, 50.0, "on_track")


def test_a_period_not_begun_gets_no_mark(admin, tracked):
    table = tracking_table(admin, bolivia_2014(today=dt.date(2014, 9, 1)))
    assert grid(table)["smes_trained"][3] == (2.0, False, 1, 50.0, "")


def test_the_womens_figures_against_the_womens_targets(admin, tracked):
    table = tracking_table(admin, bolivia_2014(sex="female"))
    rows = {row.indicator.code: row for row in table.rows}
    assert not rows["smes_trained"].applies  # SMEs are not counted by sex
    assert rows["staff_trained"].baseline == 0
    assert grid(table)["staff_trained"] == [
        (None, False, 1, None, ""),
        (2.0, False, 2, 100.0, "on_track"),
        (None, False, 0, None, ""),
        (None, False, 0, None, ""),
    ]


def test_the_programme_per_year(admin, tracked):
    table = tracking_table(admin, Ask(period="year", today=IN_2015))
    assert [p.label for p in table.periods] == ["2013", "2014", "2015"]
    assert [(r.indicator.code, r.baseline) for r in table.rows] == [
        ("smes_trained", 0),
        ("staff_trained", 0),
    ]
    assert [c[2] for c in grid(table)["smes_trained"]] == [1, 4, 0]
    assert [c[2] for c in grid(table)["staff_trained"]] == [1, 7, 0]


def test_a_partner_filter_counts_that_partners_deliveries_and_has_no_targets(admin, tracked):
    table = tracking_table(admin, bolivia_2014(partner="NPC"))
    assert grid(table)["smes_trained"] == [
        (None, False, 1, None, ""),
        (None, False, 0, None, ""),
        (None, False, 1, None, ""),
        (None, False, 0, None, ""),
    ]


def test_phases_as_periods(admin, tracked):
    table = tracking_table(admin, Ask(country="BO", period="phase", today=IN_2015))
    assert [p.label for p in table.periods] == ["Phase I", "Phase II"]
    assert [c[2] for c in grid(table)["smes_trained"]] == [1, 3]


@pytest.mark.parametrize(("period", "first_year"), [("quarter", 2014), ("quarter", 2011)])
def test_the_table_asks_two_queries_per_indicator_at_most_whatever_its_periods(
    admin, tracked, django_assert_num_queries, period, first_year
):
    from scoretrack.lib import derived

    derived.refresh()  # the fixture's derived rows, brought up to date beforehand
    # Resolving the country (1), the phases (1), the chain (1), the targets (1); whether
    # derived rows wait to be brought up to date, once (1); then staff_trained, one
    # query for a baseline and every quarter (4, or 16 from 2011), and smes_trained
    # two: its 2014 Q3 is counted from the start (a cumulative target), beside the others.
    with django_assert_num_queries(4 + 1 + 1 + 2):
        table = tracking_table(admin, bolivia_2014(period=period, first_year=first_year))
    assert len(table.periods) == 4 * (2014 - first_year + 1)


def test_the_table_shows_what_each_figure_asked_alone_gives(admin, tracked):
    """The table's cells, from one query per indicator, against `compute` per cell."""
    import dataclasses

    from scoretrack.indicators.registry import compute
    from scoretrack.results.tracking import _baseline_filters, _up_to

    table = tracking_table(admin, bolivia_2014(first_year=2013))
    base = dataclasses.replace(table.periods[0].filters(_base(admin)), start=None, end=None)
    base = dataclasses.replace(base, year=None, quarter=None)
    for row in table.rows:
        code = row.indicator.code
        assert row.baseline == compute(code, admin, _baseline_filters(base, table.periods))
        for cell in row.cells:
            asked = _up_to(base, cell.period) if cell.cumulative else cell.period.filters(base)
            assert cell.actual == compute(code, admin, asked), (code, cell.period.label)


def _base(user: Any, country: str | None = "BO") -> Any:
    from scoretrack.indicators.registry import Request, Source, resolve

    return resolve(Source(user), Request(codes=["smes_trained"], country=country))


def test_an_unknown_country_or_sex_is_refused_naming_it(admin, tracked):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        tracking_table(admin, bolivia_2014(sex="other"))
    assert error.value.message_dict == {"sex": ["sex is female or male, not 'other'"]}
    with pytest.raises(ValidationError) as error:
        tracking_table(admin, bolivia_2014(country="XX"))
    assert error.value.message_dict == {"country": ["unknown country 'XX'"]}


def test_a_country_with_its_own_chain_tracks_its_indicators(admin, tracked):
    from scoretrack.reference.models import CountryProgramme
    from scoretrack.results.models import ResultLevel

    ResultLevel.objects.create(
        key="BO-OC",
        country=CountryProgramme.objects.get(code="BO"),
        level="outcome",
        statement="Bolivian SMEs trained",
        indicators="smes_trained",
    )
    table = tracking_table(admin, bolivia_2014())
    assert table.chain_country == "BO"
    assert [(r.level.key, r.indicator.code) for r in table.rows] == [("BO-OC", "smes_trained")]
    # Peru has none: it follows the programme's.
    peru = tracking_table(admin, bolivia_2014(country="PE"))
    assert peru.chain_country is None
    assert [c[2] for c in grid(peru)["smes_trained"]] == [0, 1, 0, 0]  # D4, firm D, in Q2


def test_a_viewer_sees_each_cell_as_the_disclosure_rule_gives_it_alone(tracked):
    """Asked at once, each cell still goes through disclosure control: with the
    fixture's one or two firms a quarter, a viewer's cells are hidden (not 0), as
    each figure asked alone by the viewer is."""

    from scoretrack.accounts.models import RoleAssignment, User
    from scoretrack.indicators.disclosure import Hidden
    from scoretrack.indicators.registry import compute
    from scoretrack.results.tracking import _baseline_filters

    viewer = User.objects.create_user(email="viewer@example.org", password="pw-123456789")
    RoleAssignment.objects.create(user=viewer, role="viewer")
    table = tracking_table(viewer, Ask(period="quarter", first_year=2014, last_year=2014))
    base = _base(viewer, country=None)
    smes = next(row for row in table.rows if row.indicator.code == "smes_trained")
    assert all(isinstance(cell.actual, Hidden) for cell in smes.cells)
    for row in table.rows:
        code = row.indicator.code
        alone = compute(code, viewer, _baseline_filters(base, table.periods), marked=True)
        assert row.baseline == alone
        for cell in row.cells:
            assert cell.actual == compute(code, viewer, cell.period.filters(base), marked=True)
