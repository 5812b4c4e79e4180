"""The enterprise page's practice rows and the registry's practice figures agree.

One enterprise, one practice ("meetings"), answered at a baseline and at progress
assessments. A pair counts when a progress answer is dated after the earliest
baseline; its latest such answer is compared with the baseline's:
- baseline 2014-03-05 no, progress 2014-09-01 yes: newly implemented (100 %),
  not in place before (0 %);
- progress 2014-03-05 yes, baseline 2014-09-01 no: the progress answer came first,
  so nothing is compared: both figures have no value and the page says so;
- baseline 2014-03-05 yes, progress 2014-09-01 yes: in place before (100 %);
- baseline no, progress 2014-09-01 yes, progress 2015-02-01 no: the latest answer
  counts, not yet implemented (both 0 %).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scoretrack.indicators.tests.conftest import Ask, Make

pytestmark = pytest.mark.django_db

NOTHING_COMPARED = "No practice compared yet"


def practices_section(client: Client, firm: Any) -> str:
    html = client.get(f"/enterprises/{firm.pk}/").content.decode()
    return html[html.index('id="assessments"') : html.index('id="improvement-plan"')]


def row(before: str, latest: str, change: str) -> str:
    return f'<th scope="row">meetings</th><td>{before}</td><td>{latest}</td><td>{change}</td>'


@pytest.mark.parametrize(
    ("answers", "page", "before_pct", "new_pct"),
    [
        (
            [("baseline", "2014-03-05", False), ("progress", "2014-09-01", True)],
            row("no", "yes", "newly implemented"),
            0.0,
            100.0,
        ),
        (
            [("progress", "2014-03-05", True), ("baseline", "2014-09-01", False)],
            NOTHING_COMPARED,
            None,
            None,
        ),
        (
            [("baseline", "2014-03-05", True), ("progress", "2014-09-01", True)],
            row("yes", "yes", "in place before"),
            100.0,
            0.0,
        ),
        (
            [
                ("baseline", "2014-03-05", False),
                ("progress", "2014-09-01", True),
                ("progress", "2015-02-01", False),
            ],
            row("no", "no", "not yet"),
            0.0,
            0.0,
        ),
    ],
    ids=["in-order", "progress-before-baseline", "in-place-before", "latest-answer-counts"],
)
def test_the_page_and_the_registry_read_the_same_practice_pairs(
    admin: Any,
    admin_client: Client,
    answers: list[tuple[str, str, bool]],
    page: str,
    before_pct: float | None,
    new_pct: float | None,
) -> None:
    make = Make()
    firm = make.enterprise("A")
    for kind, date, in_place in answers:
        make.assessment(firm, kind, date, meetings=in_place)
    section = practices_section(admin_client, firm)
    assert page in section
    if page == NOTHING_COMPARED:
        assert "implemented" not in section and "in place before" not in section
    ask = Ask(admin)
    assert ask("practice_in_place_before_pct") == before_pct
    assert ask("practice_newly_implemented_pct") == new_pct
