"""The KPI pages of an enterprise: selecting KPIs, and the month grid of values.

The world (scoretrack/conftest.py): the enterprise user is E-BO1's; trainer T-BO
teaches E-BO1's delivery; the country team is Bolivia's. Values worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.outcomes.kpi_forms import outlier
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def kpis(world: SimpleNamespace) -> SimpleNamespace:
    k = SimpleNamespace()
    k.absent = Kpi.objects.create(code="absent", name="Absenteeism", unit="days", better="lower")
    k.defects = Kpi.objects.create(
        code="defects",
        name="Defect rate",
        unit="ratio",
        better="lower",
        numerator="defects",
        denominator="units produced",
    )
    k.energy = Kpi.objects.create(code="energy", name="Energy use", unit="kWh", better="lower")
    return k


def select_url(firm: Any) -> str:
    return f"/enterprises/{firm.pk}/kpis/select/"


def grid_url(firm: Any, year: int = 2024) -> str:
    return f"/enterprises/{firm.pk}/kpis/?year={year}"


def cell(response: Any, selection: KpiSelection, month: str) -> str:
    """The HTML of one cell of the grid."""
    html = response.content.decode()
    found = re.search(rf'<td id="cell-{selection.pk}-{month}".*?</td>', html, re.S)
    assert found, f"no cell {month}"
    return found.group()


def choose(firm: Any, kpi: Kpi, on: str = "2024-02-10", **fields: Any) -> KpiSelection:
    return KpiSelection.objects.create(enterprise=firm, kpi=kpi, selected_on=on, **fields)


# --- selecting KPIs -------------------------------------------------------------------


def test_the_enterprise_selects_a_kpi_with_baseline_target_and_frequency(world, kpis):
    firm = as_user(world.users["enterprise"])
    body = {
        "kpi": kpis.absent.pk,
        "selected_on": "2024-02-10",
        "baseline": "12",
        "target": "6.5",
        "frequency": "quarterly",
    }
    response = firm.post(f"/enterprises/{world.E_BO1.pk}/selections/add/", body)
    assert response.status_code == 302
    chosen = KpiSelection.objects.get()
    assert (chosen.enterprise, chosen.kpi, chosen.selected_on) == (
        world.E_BO1,
        kpis.absent,
        dt.date(2024, 2, 10),
    )
    assert (chosen.baseline, chosen.target, chosen.frequency) == (
        Decimal(12),
        Decimal("6.5"),
        "quarterly",
    )
    page = firm.get(select_url(world.E_BO1)).content.decode()
    assert "Absenteeism" in page and "<td>days</td>" in page
    assert '<td class="num">6.5</td>' in page and "Quarterly" in page


def test_a_kpi_already_selected_is_not_offered_again(world, kpis):
    choose(world.E_BO1, kpis.absent)
    firm = as_user(world.users["enterprise"])
    body = {"kpi": kpis.absent.pk, "selected_on": "2024-03-01", "frequency": "monthly"}
    response = firm.post(f"/enterprises/{world.E_BO1.pk}/selections/add/", body)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert KpiSelection.objects.count() == 1


def test_a_selection_dated_after_today_is_refused_at_the_field(world, kpis):
    ahead = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    firm = as_user(world.users["enterprise"])
    body = {"kpi": kpis.absent.pk, "selected_on": ahead, "frequency": "monthly"}
    response = firm.post(f"/enterprises/{world.E_BO1.pk}/selections/add/", body)
    assert "cannot be dated after today" in response.content.decode()
    assert not KpiSelection.objects.exists()


def test_a_selection_is_changed_and_removed_in_place(world, kpis):
    chosen = choose(world.E_BO1, kpis.absent, baseline=10)
    trainer = as_user(world.users["trainer"])  # T-BO teaches E-BO1's delivery
    base = f"/enterprises/{world.E_BO1.pk}/selections/{chosen.pk}"
    body = {
        "kpi": kpis.absent.pk,
        "selected_on": "2024-02-10",
        "baseline": "9",
        "target": "4",
        "frequency": "monthly",
        "version": chosen.updated_at.isoformat(),
    }
    assert trainer.post(f"{base}/edit/", body).status_code == 302
    chosen.refresh_from_db()
    assert (chosen.baseline, chosen.target) == (Decimal(9), Decimal(4))
    assert trainer.post(f"{base}/delete/").status_code == 302
    assert not KpiSelection.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("global", 200),
        ("country", 200),
        ("trainer", 200),
        ("enterprise", 200),
        ("partner", 200),  # the kind's writers (outcomes/kinds.py) include partners
        ("lead_buyer", 404),  # aggregates only: no firm's record
        ("viewer", 404),
        ("nobody", 404),
    ],
)
def test_who_may_open_the_selection_of_a_firm(world, kpis, role, status):
    response = as_user(world.users[role]).get(select_url(world.E_BO1))
    assert response.status_code == status


def test_a_firm_out_of_scope_is_not_found(world, kpis):
    firm = as_user(world.users["enterprise"])
    assert firm.get(select_url(world.E_BO2)).status_code == 404
    assert firm.get(grid_url(world.E_BO2)).status_code == 404
    trainer = as_user(world.users["trainer"])  # Bolivia's trainer: not Peru's firm
    assert trainer.get(select_url(world.E_PE1)).status_code == 404
    body = {"kpi": kpis.absent.pk, "selected_on": "2024-02-10", "frequency": "monthly"}
    response = trainer.post(f"/enterprises/{world.E_PE1.pk}/selections/add/", body)
    assert response.status_code == 404
    assert not KpiSelection.objects.exists()


# --- the month grid -------------------------------------------------------------------


def test_the_enterprise_enters_three_months_in_one_post(world, kpis):
    absent = choose(world.E_BO1, kpis.absent)
    defects = choose(world.E_BO1, kpis.defects)
    firm = as_user(world.users["enterprise"])
    body = {
        f"v-{absent.pk}-2024-02": "4",
        f"v-{absent.pk}-2024-03": "3.5",
        f"v-{absent.pk}-2024-04": "3",
        f"n-{defects.pk}-2024-02": "5",
        f"d-{defects.pk}-2024-02": "200",
    }
    response = firm.post(grid_url(world.E_BO1), body)
    assert response.status_code == 302
    assert response.url == grid_url(world.E_BO1)
    values = KpiObservation.objects.filter(kpi=kpis.absent).values_list("month", "value")
    assert list(values.order_by("month")) == [
        (dt.date(2024, 2, 1), Decimal(4)),
        (dt.date(2024, 3, 1), Decimal("3.5")),
        (dt.date(2024, 4, 1), Decimal(3)),
    ]
    ratio = KpiObservation.objects.get(kpi=kpis.defects)
    assert (ratio.numerator, ratio.denominator, ratio.value) == (5, 200, Decimal("0.025"))
    page = firm.get(grid_url(world.E_BO1))
    assert 'value="3.5"' in cell(page, absent, "2024-03")
    assert "= 0.025" in cell(page, defects, "2024-02")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ({"v": "abc"}, "Not a number"),
        ({"v": "-2"}, "cannot be negative"),
        ({"n": "5", "d": "0"}, "The denominator cannot be 0."),
        ({"n": "5", "d": ""}, "Give both the numerator and the denominator"),
    ],
)
def test_a_bad_cell_is_shown_at_the_cell_and_nothing_is_saved(world, kpis, typed, error):
    absent = choose(world.E_BO1, kpis.absent)
    defects = choose(world.E_BO1, kpis.defects)
    bad = absent if "v" in typed else defects
    body = {f"v-{absent.pk}-2024-02": "4"}  # a good cell, not saved either
    body.update({f"{part}-{bad.pk}-2024-05": text for part, text in typed.items()})
    response = as_user(world.users["enterprise"]).post(grid_url(world.E_BO1), body)
    assert response.status_code == 200
    html = cell(response, bad, "2024-05")
    assert "has-error" in html and error in html
    assert "Nothing was saved: 1 cell needs a correction." in response.content.decode()
    assert not KpiObservation.objects.exists()


def test_an_emptied_cell_removes_its_value_and_an_unchanged_one_is_not_rewritten(world, kpis):
    absent = choose(world.E_BO1, kpis.absent)
    feb = KpiObservation.objects.create(
        enterprise=world.E_BO1, kpi=kpis.absent, month=dt.date(2024, 2, 1), value=4
    )
    mar = KpiObservation.objects.create(
        enterprise=world.E_BO1, kpi=kpis.absent, month=dt.date(2024, 3, 1), value=5
    )
    body = {f"v-{absent.pk}-2024-02": "", f"v-{absent.pk}-2024-03": "5"}
    response = as_user(world.users["enterprise"]).post(grid_url(world.E_BO1), body)
    assert response.status_code == 302
    assert list(KpiObservation.objects.values_list("pk", flat=True)) == [mar.pk]
    assert mar.history.count() == 1  # created, never rewritten
    assert not KpiObservation.objects.filter(pk=feb.pk).exists()


def test_a_cell_changed_meanwhile_saves_nothing(world, kpis):
    absent = choose(world.E_BO1, kpis.absent)
    feb = KpiObservation.objects.create(
        enterprise=world.E_BO1, kpi=kpis.absent, month=dt.date(2024, 2, 1), value=4
    )
    opened = feb.updated_at.isoformat()
    feb.value = 6
    feb.save()  # someone else, after the grid was opened
    body = {
        f"v-{absent.pk}-2024-02": "5",
        f"version-{absent.pk}-2024-02": opened,
        f"v-{absent.pk}-2024-03": "7",
    }
    response = as_user(world.users["enterprise"]).post(grid_url(world.E_BO1), body)
    assert "Someone else changed this record" in response.content.decode()
    assert list(KpiObservation.objects.values_list("value", flat=True)) == [Decimal(6)]


def test_missing_months_are_marked_and_counted(world, kpis):
    """Monthly from 2024-02-10 (Feb..Dec owed, 11), values in Feb and Mar: 9 missing.
    Quarterly from 2024-01-05 (Mar, Jun, Sep, Dec owed), a value in Jun: 3 missing.
    In March: the monthly has its value, the quarterly misses one: 1; in January
    nothing is owed: 0. In all 12."""
    absent = choose(world.E_BO1, kpis.absent)
    energy = choose(world.E_BO1, kpis.energy, on="2024-01-05", frequency="quarterly")
    for month, kpi in (("2024-02-01", kpis.absent), ("2024-03-01", kpis.absent)):
        KpiObservation.objects.create(enterprise=world.E_BO1, kpi=kpi, month=month, value=1)
    KpiObservation.objects.create(
        enterprise=world.E_BO1, kpi=kpis.energy, month="2024-06-01", value=100
    )
    response = as_user(world.users["country"]).get(grid_url(world.E_BO1))
    html = response.content.decode()
    assert "12 values missing in these months." in html
    assert "missing" in cell(response, absent, "2024-04")
    assert "missing" not in cell(response, absent, "2024-01")  # before the selection
    assert "missing" in cell(response, energy, "2024-03")
    # A quarterly KPI takes values in quarter-end months only.
    assert f'name="v-{energy.pk}-2024-06"' in html
    assert f'name="v-{energy.pk}-2024-05"' not in html
    footer = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group()
    counts = re.findall(r'<td class="num">(\d+)</td>', footer)
    assert counts == ["0", "0", "1", "1", "1", "1", "1", "1", "2", "1", "1", "2", "12"]


def test_a_value_far_outside_the_firms_range_is_saved_with_a_warning(world, kpis):
    """Jan..Apr 10, 12, 11, 13: Q1 10.75, Q3 12.25, IQR 1.5, so the fences are
    6.25 and 16.75. May 17 is outside (warned); June 16 is inside its own earlier
    values (10, 11, 12, 13, 17: Q1 11, Q3 13, fences 5 and 19)."""
    absent = choose(world.E_BO1, kpis.absent, on="2024-01-01")
    for month, value in zip((1, 2, 3, 4), (10, 12, 11, 13), strict=True):
        KpiObservation.objects.create(
            enterprise=world.E_BO1, kpi=kpis.absent, month=dt.date(2024, month, 1), value=value
        )
    firm = as_user(world.users["enterprise"])
    body = {f"v-{absent.pk}-2024-05": "17", f"v-{absent.pk}-2024-06": "16"}
    response = firm.post(grid_url(world.E_BO1), body, follow=True)
    assert KpiObservation.objects.count() == 6  # a warning, not a refusal
    assert "Far outside this firm" in cell(response, absent, "2024-05")
    assert "Far outside this firm" not in cell(response, absent, "2024-06")
    assert "Far outside this firm" not in cell(response, absent, "2024-04")


def test_the_outlier_rule_with_few_earlier_values_uses_ten_times_the_median() -> None:
    few = [Decimal(100), Decimal(120)]  # median 110
    assert outlier(Decimal(1101), few) and outlier(Decimal(10), few)
    assert not outlier(Decimal(1100), few) and not outlier(Decimal(11), few)
    constant = [Decimal(5)] * 4  # IQR 0: the median rule
    assert not outlier(Decimal(6), constant) and outlier(Decimal(51), constant)
    assert not outlier(Decimal(10**6), [])


def test_readers_who_may_not_write_get_no_inputs_and_cannot_post(world, kpis, monkeypatch):
    absent = choose(world.E_BO1, kpis.absent)
    from scoretrack.accounts import scoping

    # No role of the world reads a firm without writing its KPI values: take the
    # country team's writing right away to see the read-only grid.
    writers, parents = dict(scoping.WRITERS), dict(scoping.PARENTS)
    writers["outcomes.KpiObservation"] = frozenset({"trainer"})
    monkeypatch.setattr(scoping, "_write_tables", lambda: (writers, parents))
    country = as_user(world.users["country"])
    response = country.get(grid_url(world.E_BO1))
    assert response.status_code == 200
    assert f'name="v-{absent.pk}-2024-02"' not in response.content.decode()
    body = {f"v-{absent.pk}-2024-02": "4"}
    assert country.post(grid_url(world.E_BO1), body).status_code == 403
    assert not KpiObservation.objects.exists()


def test_the_enterprise_page_shows_kpis_against_baseline_and_target(world, kpis):
    choose(world.E_BO1, kpis.absent, baseline=12, target=6)
    for month, value in (("2024-02-01", 9), ("2024-03-01", 5)):
        KpiObservation.objects.create(
            enterprise=world.E_BO1, kpi=kpis.absent, month=month, value=value
        )
    page = as_user(world.users["enterprise"]).get(f"/enterprises/{world.E_BO1.pk}/")
    html = page.content.decode()
    section = re.search(r'<section id="selected-kpis".*?</section>', html, re.S).group()
    row = re.search(r"<tr><th scope=\"row\">Absenteeism.*?</tr>", section, re.S).group()
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["12", "5", "6"]
    assert "March 2024" in row and "<td>yes</td>" in row  # 5 days: lower than the target 6
    assert select_url(world.E_BO1) in section
    assert f"/enterprises/{world.E_BO1.pk}/kpis/" in section
