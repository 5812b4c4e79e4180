"""The CSV export through the database (fastexport) writes the generic path's bytes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange import exporter
from scoretrack.exchange.schema import SHEETS
from scoretrack.outcomes.models import Kpi, KpiObservation

KPI_CODES = [
    "plain",
    "=SUM(A1:A9)",
    "-rate",
    "+plus",
    "@at",
    "\ttab",
    "'quoted",
    "defects, per unit",
    'say "hi"',
    "two\nlines",
    "",
]
VALUES = [
    Decimal("1.5"),
    Decimal("100"),
    Decimal("0"),
    Decimal("0.000001"),
    Decimal("-2.25"),
    Decimal("377.600955"),
    Decimal("12345678901234.5"),  # beyond a float's 15 digits: the generic way on SQLite
    Decimal("0.00005"),
    Decimal("-0.5"),
    Decimal("99999999.999999"),
    Decimal("7"),
]


@pytest.fixture
def observations(world: SimpleNamespace) -> SimpleNamespace:
    formula = Enterprise.objects.create(key="+E-BO3", name="=cmd", country=world.BO)
    firms = [world.E_BO1, world.E_BO2, formula]
    for i, code in enumerate(KPI_CODES):
        kpi = Kpi.objects.create(code=code, name=f"KPI {i}", unit="%", better="higher")
        for j, firm in enumerate(firms):
            value = VALUES[(i + j) % len(VALUES)]
            both = (i + j) % 3 == 0
            KpiObservation.objects.create(
                enterprise=firm,
                kpi=kpi,
                month=dt.date(2015 + j, 1 + i, 1),
                value=value,
                numerator=value * 2 if both else None,
                denominator=Decimal("2") if both else None,
            )
    plain = Kpi.objects.get(code="plain")
    KpiObservation.objects.create(
        enterprise=world.E_BO1, kpi=plain, month=dt.date(999, 1, 1), value=1
    )
    # Peru's: the Bolivian country team must not get it.
    KpiObservation.objects.create(
        enterprise=world.E_PE1, kpi=plain, month=dt.date(2015, 1, 1), value=Decimal("4242.42")
    )
    return world


def export(target: Path, user: Any, fast: bool, monkeypatch: Any, **options: Any) -> Path:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(exporter, "_fast_csv", lambda *args: False)
        exporter.workbook_export(target=target, user=user, fmt="folder", **options)
    return target


@pytest.mark.parametrize("who", ["global", "country", "partner"])
def test_the_fast_csv_export_gives_the_generic_bytes(
    observations: SimpleNamespace, who: str, tmp_path: Path, monkeypatch: Any
) -> None:
    user = observations.users[who]
    generic = export(tmp_path / "generic", user, False, monkeypatch)
    fast = export(tmp_path / "fast", user, True, monkeypatch)
    for sheet in SHEETS:
        name = f"{sheet.name}.csv"
        assert (fast / name).read_bytes() == (generic / name).read_bytes(), name


def test_the_fast_path_runs_scoped_and_escaped(
    observations: SimpleNamespace, tmp_path: Path, monkeypatch: Any
) -> None:
    used = []
    real = exporter.fast_csv

    def spy(*args: Any) -> bool:
        used.append(args[1].name)
        return real(*args)

    monkeypatch.setattr(exporter, "fast_csv", spy)
    out = export(tmp_path / "out", observations.users["country"], True, monkeypatch)
    assert "kpi_observations" in used
    text = (out / "kpi_observations.csv").read_bytes().decode()
    assert text.startswith("enterprise,kpi,month,value,numerator,denominator\r\n")
    assert "E-PE1" not in text and "4242.42" not in text  # Peru's row: out of scope
    assert "E-BO1,'=SUM(A1:A9),2015-02,100,,\r\n" in text
    assert "'+E-BO3,'=SUM(A1:A9),2017-02,0.000001,0.000002,2\r\n" in text
    assert "E-BO1,'@at,2015-05,-2.25,,\r\n" in text  # a number is no formula
    assert "E-BO1,''quoted,2015-07,12345678901234.5,24691357802469,2\r\n" in text
    assert 'E-BO1,"defects, per unit",2015-08,0.00005,,\r\n' in text
    assert 'E-BO1,"say ""hi""",2015-09,-0.5,,\r\n' in text
    assert 'E-BO1,"two\nlines",2015-10,99999999.999999,199999999.999998,2\r\n' in text
    assert "E-BO1,plain,999-01,1,,\r\n" in text
    assert "E-BO1,,2015-11,7,,\r\n" in text  # an empty code: an empty cell


def test_the_country_option_scopes_the_fast_path_too(
    observations: SimpleNamespace, tmp_path: Path, monkeypatch: Any
) -> None:
    user = observations.users["global"]
    for country in ("BO", "PE"):
        options = {"country": country, "sheets": ["kpi_observations", "enterprises"]}
        generic = export(tmp_path / f"g{country}", user, False, monkeypatch, **options)
        fast = export(tmp_path / f"f{country}", user, True, monkeypatch, **options)
        for name in ("kpi_observations.csv", "enterprises.csv"):
            assert (fast / name).read_bytes() == (generic / name).read_bytes()
    assert b"E-BO1" not in (tmp_path / "fPE" / "kpi_observations.csv").read_bytes()
