"""`scoretrack demo` and `scoretrack generate`: the synthetic programme and its shapes."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import models
from django.db.models import Count, Min

from scoretrack.demo import catalogue, generator
from scoretrack.enterprises.models import Enterprise
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.outcomes.models import Assessment, Kpi, Practice, PracticeAnswer
from scoretrack.reference.models import CountryProgramme, Module, Phase
from scoretrack.training.models import Delivery, Enrolment, Participant

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def snapshot(rows: generator.Rows) -> list[tuple[str, dict[str, Any]]]:
    return [
        (model._meta.label, {k: v for k, v in obj.__dict__.items() if k != "_state"})
        for model, objs in rows.ordered()
        for obj in objs
    ]


def build(seed: int) -> generator.Rows:
    """Peru's trainers and 13 firms (deliveries of 4, 4 and 5), built but not inserted."""
    loaded = catalogue.load_catalogues()
    spec = catalogue.COUNTRY_BY_CODE["PE"]
    frame = generator.prepare_frame(loaded, spec, "T-")
    rng = random.Random(seed)
    new_id = generator.IdMaker(random.Random(f"ids:{seed}"))
    phase2 = Phase.objects.get(name="II")
    window = generator.Window("II", phase2.start_date, phase2.end_date)
    cells = [generator.Cell("PE", window, [4, 4, 5])]
    options = generator.RunOptions("test", seed, "T-", 0.25, window.end)
    rows = generator.country_rows(rng, new_id, frame, cells, options)
    chunk = generator.build_chunk(
        rng, new_id, loaded, frame, window, [4, 4, 5], generator.Counter()
    )
    for objs in chunk.by_model.values():
        rows.extend(objs)
    return rows


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize("n", [4, 5, 8, 9, 10, 12, 13, 16, 29, 30, 31, 101])
def test_split_groups_makes_deliveries_of_four_or_five_enterprises(n: int) -> None:
    sizes = generator.split_groups(n, random.Random(n))

    assert sum(sizes) == n
    assert set(sizes) <= {4, 5}


def test_a_number_that_cannot_be_split_gets_one_smaller_delivery() -> None:
    assert sorted(generator.split_groups(7, random.Random(1))) == [2, 5]


def test_the_rate_of_a_date_is_the_rate_of_first_january_of_its_year() -> None:
    assert catalogue.rate_for("COP", catalogue.D(2016, 7, 1)) == 3150
    assert catalogue.rate_for("BOB", catalogue.D(2030, 1, 1)) == 6.96


def test_cost_recovery_follows_table_2() -> None:
    ghana = catalogue.COUNTRY_BY_CODE["GH"]

    assert generator.recovery_pct(ghana, catalogue.D(2016, 5, 1)) == 9
    assert generator.recovery_pct(ghana, catalogue.D(2017, 5, 1)) == 54


# ---------------------------------------------------------------- determinism


def test_the_same_seed_builds_the_same_rows_and_another_seed_other_rows() -> None:
    first, again, other = build(5), build(5), build(6)

    assert snapshot(first) == snapshot(again)
    assert snapshot(first) != snapshot(other)
    assert len(first.by_model[Enterprise]) == 13


def test_what_lands_in_the_database_is_what_was_built() -> None:
    rows = build(5)
    generator.write_rows(rows, batch_size=7)  # several batches per table

    for model, objs in rows.ordered():
        auto_pk = isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
        fields = [
            f.attname
            for f in model._meta.local_concrete_fields
            if f.attname not in ("created_at", "updated_at") and not (f.primary_key and auto_pk)
        ]
        stored = {tuple(row) for row in model.objects.values_list(*fields)}
        built = {tuple(obj.__dict__[f] for f in fields) for obj in objs}
        assert built <= stored, model._meta.label


# ---------------------------------------------------------------- generate


def test_generate_builds_the_shapes_of_the_programme() -> None:
    output = run("generate", "--enterprises", "30", "--seed", "7")

    enterprises = Enterprise.objects.all()
    assert enterprises.count() == 30
    assert all(key.startswith("G7-") for key in enterprises.values_list("key", flat=True))
    assert "Rows inserted per table:" in output
    assert "enterprises.Enterprise" in output
    # Module 1 first: each enterprise's earliest delivery is M1, and it has exactly one M1.
    firsts = Enrolment.objects.values("enterprise").annotate(first=Min("delivery__start_date"))
    for row in firsts:
        first_modules = set(
            Enrolment.objects.filter(
                enterprise=row["enterprise"], delivery__start_date=row["first"]
            ).values_list("delivery__module__code", flat=True)
        )
        assert first_modules == {"M1"}
    m1 = Counter(Enrolment.objects.filter(delivery__module__code="M1").values_list("enterprise"))
    assert set(m1.values()) == {1}
    assert len(m1) == 30
    # Deliveries of 4-5 enterprises, about four participants per enterprise and delivery.
    sizes = Delivery.objects.annotate(n=Count("enrolments")).values_list("n", flat=True)
    assert set(sizes) <= {4, 5}
    per_firm = list(
        Participant.objects.values("delivery", "enterprise")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert min(per_firm) >= 3
    assert max(per_firm) <= 5
    assert 3.5 <= sum(per_firm) / len(per_firm) <= 4.5
    # The practices: twelve answers per assessment, a baseline for everyone.
    assert Assessment.objects.filter(kind="baseline").count() == 30
    assert PracticeAnswer.objects.count() == 12 * Assessment.objects.count()


def test_every_money_row_has_its_usd_value_at_the_rate_of_its_year() -> None:
    run("generate", "--enterprises", "30", "--seed", "7")

    costs = list(DirectCost.objects.all())
    assert costs
    assert not DirectCost.objects.filter(usd__isnull=True).exists()
    assert not Contribution.objects.filter(usd__isnull=True).exists()
    for cost in costs:
        rate = Decimal(str(catalogue.rate_for(cost.currency, cost.date)))
        assert abs(cost.amount / rate - cost.usd) <= Decimal("0.01")
    fees = Enrolment.objects.filter(fee__isnull=False)
    assert not fees.filter(fee_usd__isnull=True).exists()


def test_generate_adds_to_the_catalogue_and_a_second_seed_does_not_collide() -> None:
    run("generate", "--enterprises", "30", "--seed", "1")
    run("generate", "--enterprises", "30", "--seed", "2")

    assert Enterprise.objects.count() == 60
    assert Enterprise.objects.filter(key__startswith="G2-").count() == 30
    assert Module.objects.count() == 12
    assert Practice.objects.count() == 12
    assert CountryProgramme.objects.count() == 9


def test_generate_refuses_a_seed_whose_keys_exist() -> None:
    run("generate", "--enterprises", "5", "--seed", "3")

    with pytest.raises(Exception, match="G3- exist already"):
        run("generate", "--enterprises", "5", "--seed", "3")


# ---------------------------------------------------------------- demo and catalogues


def test_loading_the_catalogues_twice_creates_nothing_new() -> None:
    catalogue.load_catalogues()
    counts = (Module.objects.count(), Practice.objects.count(), Kpi.objects.count())

    catalogue.load_catalogues()

    assert (Module.objects.count(), Practice.objects.count(), Kpi.objects.count()) == counts
    assert counts == (12, 12, 14)
    assert Module.objects.get(code="M1").compulsory_first is True
    assert Module.objects.get(code="M1").id == catalogue.catalogue_id("module", "M1")


def test_the_kpi_catalogue_knows_which_way_is_better() -> None:
    catalogue.load_catalogues()

    defect_rate = Kpi.objects.get(code="defect_rate")
    assert (defect_rate.better, defect_rate.numerator, defect_rate.denominator) == (
        "lower",
        "defects",
        "units produced",
    )
    assert Kpi.objects.get(code="employment").better == "higher"
    assert Kpi.objects.get(code="absenteeism").better == "lower"


def test_if_empty_loads_nothing_when_enterprises_exist() -> None:
    country = CountryProgramme.objects.create(code="XK", name="Elsewhere")
    Enterprise.objects.create(key="E1", name="Existing", country=country)

    output = run("demo", "--if-empty")

    assert "not loaded" in output
    assert Module.objects.count() == 0
    assert Enterprise.objects.count() == 1


def test_demo_loads_the_report_programme_once() -> None:
    run("demo", "--if-empty")

    countries = dict(CountryProgramme.objects.values_list("code", "name"))
    assert countries == {
        "CN": "China",
        "ZA": "South Africa",
        "ID": "Indonesia",
        "IN": "India",
        "CO": "Colombia",
        "GH": "Ghana",
        "VN": "Viet Nam",
        "PE": "Peru",
        "BO": "Bolivia",
    }
    assert CountryProgramme.objects.get(code="VN").currency == "VND"
    # Figure 6: 362 SMEs in Phase I and 957 in Phase II.
    assert Enterprise.objects.count() == 1319
    phase2 = (
        Participant.objects.filter(delivery__start_date__range=("2014-01-01", "2017-12-31"))
        .values("enterprise__country__code")
        .annotate(n=Count("enterprise", distinct=True))
    )
    assert {row["enterprise__country__code"]: row["n"] for row in phase2} == {
        "CN": 126,
        "IN": 61,
        "ID": 175,
        "VN": 106,
        "BO": 53,
        "CO": 131,
        "PE": 105,
        "GH": 124,
        "ZA": 76,
    }
    counts = {model: model.objects.count() for model in (Enterprise, Delivery, Module, Kpi)}

    again = run("demo")
    empty = run("demo", "--if-empty")

    assert "already loaded" in again
    assert "not loaded" in empty
    assert {model: model.objects.count() for model in counts} == counts
