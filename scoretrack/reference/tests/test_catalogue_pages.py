"""HQ's catalogue pages: modules, practices, KPIs, sectors, country programmes,
regions, clusters, phases, targets and exchange rates (reference/catalogue_views.py)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.finance.models import ExchangeRate
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown
from scoretrack.outcomes.models import Kpi, Practice
from scoretrack.reference.catalogue_views import CATALOGUES
from scoretrack.reference.models import (
    Cluster,
    CountryProgramme,
    Module,
    Phase,
    Region,
    Sector,
    Target,
)

D = "2015-01-01"


def url(name: str, action: str, obj: Any = None) -> str:
    return reverse(f"catalogues:{name}-{action}", args=[] if obj is None else [obj.pk])


def resolved(world: SimpleNamespace, data: dict[str, Any]) -> dict[str, Any]:
    """Values written "@bo" stand for the world's record of that name (its key)."""
    return {
        key: getattr(world, value[1:]).pk if isinstance(value, str) and value[:1] == "@" else value
        for key, value in data.items()
    }


def stored(obj: Any, expected: dict[str, Any], world: SimpleNamespace) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in expected}


# catalogue: (model, what HQ types to create, what it then holds, a change on its
# edit page, what it then holds). "@name" is a record of the world.
ROUND_TRIPS: dict[str, tuple[Any, dict, dict, dict, dict]] = {
    "module": (
        Module,
        {"code": "M9", "name": "Lean Manufacturing", "core": "on", "name_es": "Manufactura"},
        {"code": "M9", "core": True, "compulsory_first": False},
        {"name": "Lean Production", "name_es": "", "name_zh_hans": "精益生产"},
        {"name": "Lean Production", "name_translations": {"zh-hans": "精益生产"}},
    ),
    "practice": (
        Practice,
        {"code": "KAIZEN", "name": "Kaizen 5S", "module": "@m1", "name_fr": "Kaizen 5S (fr)"},
        {"code": "KAIZEN", "name_translations": {"fr": "Kaizen 5S (fr)"}},
        {"module": ""},
        {"module": None, "name": "Kaizen 5S"},
    ),
    "kpi": (
        Kpi,
        {
            "code": "DEFECTS",
            "name": "Defect rate",
            "unit": "%",
            "better": "lower",
            "numerator": "defects",
            "denominator": "units produced",
        },
        {"code": "DEFECTS", "better": "lower", "module": None, "denominator": "units produced"},
        {"better": "higher", "unit": "ppm"},
        {"better": "higher", "unit": "ppm", "numerator": "defects"},
    ),
    "sector": (
        Sector,
        {"name": "Leather"},
        {"name": "Leather"},
        {"name": "Leather goods"},
        {"name": "Leather goods"},
    ),
    "country": (
        CountryProgramme,
        {
            "code": "CO",
            "name": "Colombia",
            "currency": "COP",
            "start_date": "2016-02-01",
            "status": "active",
        },
        {"code": "CO", "currency": "COP", "status": "active"},
        {"status": "handed_over"},
        {"status": "handed_over", "name": "Colombia"},
    ),
    "region": (
        Region,
        {"country": "@bo", "name": "Oruro"},
        {"name": "Oruro"},
        {"name": "Oruro Norte"},
        {"name": "Oruro Norte"},
    ),
    "cluster": (
        Cluster,
        {"country": "@bo", "name": "Santa Cruz bakers", "sector": "@food"},
        {"name": "Santa Cruz bakers"},
        {"sector": ""},
        {"sector": None},
    ),
    "phase": (
        Phase,
        {"name": "III", "start_date": "2018-01-01", "end_date": "2021-12-31"},
        {"name": "III"},
        {"end_date": "2022-06-30"},
        {"name": "III"},
    ),
    "target": (
        Target,
        {"indicator": "smes_trained", "country": "@bo", "year": "2016", "value": "120"},
        {"indicator": "smes_trained", "year": 2016, "value": Decimal("120"), "phase": None},
        {"value": "150.5"},
        {"value": Decimal("150.5"), "year": 2016},
    ),
    "rate": (
        ExchangeRate,
        {"currency": "PEN", "date": D, "per_usd": "3.1"},
        {"currency": "PEN", "per_usd": Decimal("3.1")},
        {"per_usd": "3.25"},
        {"per_usd": Decimal("3.25")},
    ),
}


def test_every_catalogue_has_a_round_trip() -> None:
    assert sorted(ROUND_TRIPS) == sorted(c.name for c in CATALOGUES)


@pytest.mark.parametrize("name", list(ROUND_TRIPS))
def test_hq_creates_edits_and_deletes_a_record(
    admin_client: Client, world: SimpleNamespace, admin: User, name: str
) -> None:
    model, typed, created, change, changed = ROUND_TRIPS[name]
    before = set(model.objects.values_list("pk", flat=True))
    assert admin_client.get(url(name, "create")).status_code == 200
    response = admin_client.post(url(name, "create"), resolved(world, typed))
    (obj,) = model.objects.exclude(pk__in=before)
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == url(name, "detail", obj)
    assert stored(obj, created, world) == created
    assert obj.created_by == admin

    data = as_shown(admin_client, url(name, "edit", obj))
    data.update(resolved(world, change))
    response = admin_client.post(url(name, "edit", obj), data)
    assert response.status_code == 302, response.context["form"].errors
    obj.refresh_from_db()
    assert stored(obj, changed, world) == changed
    assert admin_client.get(url(name, "detail", obj)).status_code == 200

    page = admin_client.get(url(name, "delete", obj))
    assert "No other record depends on it." in page.content.decode()
    response = admin_client.post(url(name, "delete", obj), {"expected": ""})
    assert response.url == url(name, "list")
    assert not model.objects.filter(pk=obj.pk).exists()


def test_the_edit_page_shows_the_stored_values_and_the_names_in_each_language(
    admin_client: Client, world: SimpleNamespace, admin: User
) -> None:
    with acting_as(admin):
        world.m1.name_translations = {"es": "Cooperación en el lugar de trabajo", "vi": "Hợp tác"}
        world.m1.save()
    shown = as_shown(admin_client, url("module", "edit", world.m1))
    assert (shown["code"], shown["name"]) == (["M1"], ["Workplace Cooperation"])
    assert "core" in shown and "compulsory_first" not in shown  # checked, not checked
    assert shown["name_es"] == ["Cooperación en el lugar de trabajo"]
    assert shown["name_vi"] == ["Hợp tác"]
    assert shown["name_fr"] == shown["name_id"] == shown["name_zh_hans"] == [""]
    body = admin_client.get(url("module", "detail", world.m1)).content.decode()
    for text in ("Name in Español", "Cooperación en el lugar de trabajo", "Name in Tiếng Việt"):
        assert text in body, text


def test_the_lists_show_names_in_the_page_language_and_search(
    admin_client: Client, world: SimpleNamespace, admin: User
) -> None:
    with acting_as(admin):
        world.m2.name_translations = {"es": "Gestión de calidad"}
        world.m2.save()
    response = admin_client.get(url("module", "list"), HTTP_ACCEPT_LANGUAGE="es")
    assert [row.cells[1][1] for row in response.context["rows"]] == [
        "Workplace Cooperation",
        "Gestión de calidad",
    ]
    response = admin_client.get(url("region", "list") + "?country=PE")
    assert [row.obj.name for row in response.context["rows"]] == ["Lima"]
    response = admin_client.get(url("cluster", "list") + "?q=alto")
    assert [row.obj.name for row in response.context["rows"]] == ["El Alto weavers"]


def test_targets_and_rates_are_listed_plainly(
    admin_client: Client, world: SimpleNamespace, admin: User
) -> None:
    with acting_as(admin):
        phase = Phase.objects.create(name="II", start_date="2014-01-01", end_date="2017-12-31")
        Target.objects.create(indicator="smes_trained", value=Decimal("1500"))
        Target.objects.create(
            indicator="cost_recovery_pct", country=world.bo, phase=phase, value=35
        )
        Target.objects.create(
            indicator="staff_trained",
            country=world.bo,
            year=2015,
            quarter=3,
            disaggregation="sex",
            group="female",
            cumulative=True,
            value=40,
        )
    response = admin_client.get(url("target", "list"))
    assert [[cell for _c, cell in row.cells] for row in response.context["rows"]] == [
        ["cost_recovery_pct", "Bolivia", "Phase II", "Total", "no", "35"],
        ["smes_trained", "Global", "All", "Total", "no", "1,500"],
        ["staff_trained", "Bolivia", "2015 Q3", "sex: female", "yes", "40"],
    ]
    assert '<td class="num">1,500</td>' in response.content.decode()
    body = admin_client.get(url("rate", "list")).content.decode()
    assert '<td class="num">6.9</td>' in body


def test_the_index_counts_each_catalogue(
    admin_client: Client, world: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("catalogues:index"))
    counts = {e["catalogue"].name: e["count"] for e in response.context["entries"]}
    assert counts == {
        "module": 2,
        "practice": 0,
        "kpi": 0,
        "sector": 2,
        "country": 2,
        "region": 2,
        "cluster": 1,
        "phase": 0,
        "target": 0,
        "rate": 1,
    }
    assert all(e["create_url"] for e in response.context["entries"])


# --- the model's rules, at the field --------------------------------------------------


def errors_of(client: Client, name: str, data: dict[str, Any]) -> dict[str, list[str]]:
    response = client.post(url(name, "create"), data)
    assert response.status_code == 200
    return dict(response.context["form"].errors)


def test_a_rate_of_zero_or_twice_on_a_day_is_refused_at_its_field(
    admin_client: Client, world: SimpleNamespace
) -> None:
    errors = errors_of(admin_client, "rate", {"currency": "PEN", "date": D, "per_usd": "0"})
    assert errors == {"per_usd": ["A rate is a number above zero."]}
    errors = errors_of(admin_client, "rate", {"currency": "BOB", "date": D, "per_usd": "7"})
    assert errors == {"date": ["This currency already has a rate on this date: change that one."]}
    errors = errors_of(admin_client, "rate", {"currency": "usd", "date": D, "per_usd": "1"})
    assert errors == {"currency": ["Use the three capital letters of ISO 4217."]}
    assert ExchangeRate.objects.count() == 1


def test_a_phase_ending_before_it_starts_is_refused_at_the_end_date(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = {"name": "III", "start_date": "2018-01-01", "end_date": "2017-12-31"}
    errors = errors_of(admin_client, "phase", data)
    assert errors == {"end_date": ["The end date is before the start date (2018-01-01)."]}
    assert not Phase.objects.exists()


def test_a_target_twice_for_one_scope_an_unknown_indicator_or_year_are_field_errors(
    admin_client: Client, world: SimpleNamespace, admin: User
) -> None:
    with acting_as(admin):
        Target.objects.create(indicator="smes_trained", country=world.bo, value=100)
    data = {"indicator": "smes_trained", "country": world.bo.pk, "value": "120"}
    assert errors_of(admin_client, "target", data) == {
        "indicator": [
            "This indicator already has a target for this country, period and group: "
            "change that one instead."
        ]
    }
    data.update(indicator="smes_sold")
    errors = errors_of(admin_client, "target", data)
    assert errors == {
        "indicator": ["Select a valid choice. smes_sold is not one of the available choices."]
    }
    data.update(indicator="smes_trained", year="1990")
    assert errors_of(admin_client, "target", data) == {"year": ["Give a year from 2000 to 2100."]}
    # The same indicator for another year, or globally, is another target.
    data.update(year="2016")
    assert admin_client.post(url("target", "create"), data).status_code == 302
    del data["country"], data["year"]
    response = admin_client.post(url("target", "create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Target.objects.count() == 3


def test_a_duplicate_region_or_code_is_refused_at_its_field(
    admin_client: Client, world: SimpleNamespace
) -> None:
    errors = errors_of(admin_client, "region", {"country": world.bo.pk, "name": "La Paz"})
    assert errors == {"name": ["This country already has one of this name."]}
    errors = errors_of(admin_client, "module", {"code": "M1", "name": "Again"})
    assert errors == {"code": ["Module with this Code already exists."]}
    errors = errors_of(admin_client, "country", {"code": "bo", "name": "X", "status": "active"})
    assert errors["code"][0] == "Use the two capital letters of ISO 3166."
    assert Region.objects.filter(name="La Paz").count() == 1


# --- deleting what others use ----------------------------------------------------------


def test_a_module_used_by_deliveries_cannot_be_deleted(
    admin_client: Client, world: SimpleNamespace
) -> None:
    page = admin_client.get(url("module", "delete", world.m1))
    reason = (
        "It cannot be deleted: it is used by 2 deliveries (never deleted with it); "
        "delete or move them first."
    )
    assert page.status_code == 200
    assert reason in page.content.decode()
    response = admin_client.post(url("module", "delete", world.m1), {"expected": ""})
    assert response.status_code == 409
    assert reason in response.content.decode()
    assert Module.objects.filter(pk=world.m1.pk).exists()


def test_deleting_a_sector_says_which_enterprises_lose_it(
    admin_client: Client, world: SimpleNamespace
) -> None:
    body = admin_client.get(url("sector", "delete", world.textiles)).content.decode()
    assert "Kept, but no longer linked to it" in body
    assert "1 enterprise: Textiles Andina" in body
    response = admin_client.post(url("sector", "delete", world.textiles), {"expected": "x"})
    assert "What depends on it changed meanwhile" in response.content.decode()
    assert Sector.objects.filter(pk=world.textiles.pk).exists()
    plan = "unlinked:enterprises.Enterprise:1"
    response = admin_client.post(url("sector", "delete", world.textiles), {"expected": plan})
    assert response.status_code == 302
    world.andina.refresh_from_db()
    assert world.andina.sector is None


# --- who may write ------------------------------------------------------------------


@pytest.fixture
def people(world: SimpleNamespace) -> dict[str, Client]:
    roles = {
        "country": {"role": "country_team", "country": world.bo},
        "partner": {"role": "partner", "organisation": world.cainco},
        "trainer": {"role": "trainer", "trainer": world.ana},
        "viewer": {"role": "viewer"},
    }
    clients = {}
    for name, role in roles.items():
        user = User.objects.create_user(email=f"{name}@x.org", password="pw")
        RoleAssignment.objects.create(user=user, **role)
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


HQ_ONLY = ["module", "practice", "kpi", "sector", "country", "phase", "target", "rate"]


def some_record(world: SimpleNamespace, name: str, admin: User) -> Any:
    with acting_as(admin):
        made = {
            "practice": lambda: Practice.objects.create(code="P1", name="5S"),
            "kpi": lambda: Kpi.objects.create(code="K1", name="Output", unit="u", better="higher"),
            "phase": lambda: Phase.objects.create(
                name="II", start_date="2014-01-01", end_date="2017-12-31"
            ),
            "target": lambda: Target.objects.create(indicator="smes_trained", value=5),
        }
        found = {
            "module": world.m2,
            "sector": world.food,
            "country": world.pe,
            "rate": ExchangeRate.objects.get(),
            "region": world.lima,
            "cluster": world.weavers,
        }
    return found[name] if name in found else made[name]()


@pytest.mark.parametrize("role", ["country", "partner", "trainer", "viewer"])
@pytest.mark.parametrize("name", HQ_ONLY)
def test_only_hq_writes_the_catalogues(
    people: dict[str, Client], world: SimpleNamespace, admin: User, role: str, name: str
) -> None:
    client = people[role]
    obj = some_record(world, name, admin)
    assert client.get(url(name, "list")).status_code == 200
    assert client.get(url(name, "detail", obj)).status_code == 200
    assert client.get(url(name, "create")).status_code == 403
    assert client.post(url(name, "create"), {"name": "X", "code": "X"}).status_code == 403
    assert client.post(url(name, "edit", obj), {"name": "X", "code": "X"}).status_code == 403
    assert client.post(url(name, "delete", obj), {"expected": ""}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_readers_see_no_buttons_to_write(people: dict[str, Client], world: SimpleNamespace) -> None:
    response = people["partner"].get(url("module", "list"))
    assert response.context["create_url"] == ""
    body = people["partner"].get(url("module", "detail", world.m1)).content.decode()
    assert url("module", "edit", world.m1) not in body
    entries = people["partner"].get(reverse("catalogues:index")).context["entries"]
    assert [e["create_url"] for e in entries] == [""] * len(CATALOGUES)


def test_a_country_team_writes_regions_and_clusters_of_its_country_only(
    people: dict[str, Client], world: SimpleNamespace
) -> None:
    client = people["country"]
    entries = client.get(reverse("catalogues:index")).context["entries"]
    assert [e["catalogue"].name for e in entries if e["create_url"]] == ["region", "cluster"]
    form = client.get(url("region", "create")).context["form"]
    assert list(form.fields["country"].queryset) == [world.bo]
    response = client.post(url("region", "create"), {"country": world.bo.pk, "name": "Oruro"})
    assert response.status_code == 302
    assert Region.objects.get(name="Oruro").country == world.bo
    response = client.post(url("region", "create"), {"country": world.pe.pk, "name": "Cusco"})
    assert list(response.context["form"].errors) == ["country"]
    assert not Region.objects.filter(name="Cusco").exists()
    assert client.get(url("region", "edit", world.lima)).status_code == 403
    assert client.post(url("region", "delete", world.lima), {"expected": ""}).status_code == 403
    data = {"country": world.bo.pk, "name": "El Alto weavers", "sector": world.textiles.pk}
    response = client.post(url("cluster", "edit", world.weavers), data)
    assert response.status_code == 302
    world.weavers.refresh_from_db()
    assert world.weavers.sector == world.textiles
    # Moving its region to another country is refused like creating one there.
    region = Region.objects.get(name="Oruro")
    response = client.post(url("region", "edit", region), {"country": world.pe.pk, "name": "O"})
    assert list(response.context["form"].errors) == ["country"]
    for role in ("partner", "trainer"):
        response = people[role].post(url("region", "create"), {"country": world.bo.pk})
        assert response.status_code == 403


def test_unknown_ids_wrong_methods_and_anonymous_visitors(
    admin_client: Client, world: SimpleNamespace
) -> None:
    unknown = "/catalogues/sectors/00000000-0000-4000-8000-000000000000/"
    assert admin_client.get(unknown).status_code == 404
    assert admin_client.get(unknown + "edit/").status_code == 404
    assert admin_client.post(url("sector", "list")).status_code == 405
    assert admin_client.put(url("sector", "detail", world.food)).status_code == 405
    response = Client().get(reverse("catalogues:index"))
    assert (response.status_code, response.url.startswith("/login/")) == (302, True)


def test_a_country_programme_in_use_cannot_be_deleted(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.post(url("country", "delete", world.pe), {"expected": ""})
    body = response.content.decode()
    assert response.status_code == 409
    assert "It cannot be deleted: it is used by " in body
    for used in ("1 delivery", "1 enterprise", "1 organisation", "1 trainer"):
        assert used in body, used
    assert CountryProgramme.objects.filter(pk=world.pe.pk).exists()
