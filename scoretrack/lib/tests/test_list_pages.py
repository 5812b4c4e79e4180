"""The list pages people work with: sorting, page size, search over the fields they
type, the current filter downloaded, counts in the header (lib/crud.py list_page)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.crud import count_text
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)
from scoretrack.reference.models import CountryProgramme, Region, Sector

ENTERPRISES = reverse("enterprises:enterprise-list")
DELIVERIES = reverse("training:delivery-list")
TRAINERS = reverse("trainers:trainer-list")


def names(response: Any) -> list[str]:
    return [row.obj.name for row in response.context["rows"]]


# --- sorting ---------------------------------------------------------------------


def test_a_column_header_sorts_ascending_then_descending(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    assert names(admin_client.get(ENTERPRISES, {"sort": "name"})) == [
        "Inca Foods",
        "Panadería Sol",
        "Textiles Andina",
    ]
    assert names(admin_client.get(ENTERPRISES, {"sort": "-name"})) == [
        "Textiles Andina",
        "Panadería Sol",
        "Inca Foods",
    ]


def test_a_sort_on_a_related_column_breaks_ties_by_primary_key(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    bolivians = sorted([world.andina, world.sol], key=lambda e: e.pk.hex)
    expected = [e.name for e in bolivians] + ["Inca Foods"]
    assert names(admin_client.get(ENTERPRISES, {"sort": "country__name"})) == expected
    # Descending: the exact reverse (the tie too), stable across pages.
    expected = ["Inca Foods"] + [e.name for e in reversed(bolivians)]
    assert names(admin_client.get(ENTERPRISES, {"sort": "-country__name"})) == expected


def test_blanks_sort_last_ascending_and_first_descending(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    # Regions: La Paz (Textiles Andina), Lima (Inca Foods), none (Panadería Sol).
    assert names(admin_client.get(ENTERPRISES, {"sort": "region__name"})) == [
        "Textiles Andina",
        "Inca Foods",
        "Panadería Sol",
    ]
    assert names(admin_client.get(ENTERPRISES, {"sort": "-region__name"})) == [
        "Panadería Sol",
        "Inca Foods",
        "Textiles Andina",
    ]


def test_only_declared_columns_sort(admin_client: Client, world: SimpleNamespace) -> None:  # noqa: F811
    # A path that is no sortable column is ignored, not handed to order_by.
    for sort in ("workforce_female", "-created_by__password", "name;drop", "__"):
        response = admin_client.get(ENTERPRISES, {"sort": sort})
        assert response.status_code == 200
        assert names(response) == ["Inca Foods", "Panadería Sol", "Textiles Andina"]


def test_the_header_shows_the_sort_and_the_links_keep_the_filter(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    html = admin_client.get(ENTERPRISES, {"sort": "-name", "country": "BO"}).content.decode()
    assert 'aria-sort="descending"' in html
    # The name header now sorts ascending, keeping the country filter.
    assert 'href="?sort=name&amp;country=BO"' in html
    # Another column's header sorts by it, the filter kept, the page not.
    assert 'href="?sort=key&amp;country=BO"' in html
    # The search form carries the sort, so a new search keeps it.
    assert '<input type="hidden" name="sort" value="-name">' in html


def test_the_sort_is_kept_across_pages(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    settings: Any,
) -> None:
    settings.PAGE_SIZE = 2
    first = admin_client.get(ENTERPRISES, {"sort": "-name"})
    assert names(first) == ["Textiles Andina", "Panadería Sol"]
    assert 'href="?sort=-name&amp;page=2"' in first.content.decode()
    assert names(admin_client.get(ENTERPRISES, {"sort": "-name", "page": 2})) == ["Inca Foods"]


def test_every_list_sorts_by_its_key(admin_client: Client, world: SimpleNamespace) -> None:  # noqa: F811
    response = admin_client.get(DELIVERIES, {"sort": "-key"})
    assert [row.obj.key for row in response.context["rows"]] == [
        "PE-2016-01",
        "BO-2017-01",
        "BO-2016-01",
    ]
    response = admin_client.get(TRAINERS, {"sort": "-name"})
    assert names(response) == ["Rosa Paz", "Luis Mamani", "Ana Quispe"]


# --- page size -------------------------------------------------------------------


def test_the_page_size_is_chosen_and_bounded(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    settings: Any,
) -> None:
    settings.PAGE_SIZE = 2
    assert len(admin_client.get(ENTERPRISES).context["rows"]) == 2
    response = admin_client.get(ENTERPRISES, {"size": "25", "sort": "name"})
    assert names(response) == ["Inca Foods", "Panadería Sol", "Textiles Andina"]
    # Not one of the offered sizes: the default, never a page of a million rows.
    for size in ("1000000", "-5", "many"):
        response = admin_client.get(ENTERPRISES, {"size": size})
        assert response.status_code == 200
        assert response.context["page"].paginator.per_page == 2


def test_the_page_size_is_kept_by_the_pager(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    settings: Any,
) -> None:
    settings.PAGE_SIZE = 1
    html = admin_client.get(ENTERPRISES, {"size": "25"}).content.decode()
    assert '<option value="25" selected>' in html


# --- search ----------------------------------------------------------------------


@pytest.fixture
def vietnam(admin: Any, world: SimpleNamespace) -> SimpleNamespace:  # noqa: F811
    v = SimpleNamespace()
    with acting_as(admin):
        vn = CountryProgramme.objects.create(code="VN", name="Viet Nam", currency="VND")
        furniture = Sector.objects.create(name="Furniture")
        binh = Region.objects.create(country=vn, name="Binh Duong")
        dong_nai = Region.objects.create(country=vn, name="Dong Nai")
        v.phu_tai = Enterprise.objects.create(
            key="VN1", name="Phu Tai", country=vn, region=binh, sector=furniture
        )
        Enterprise.objects.create(
            key="VN2", name="Go Viet", country=vn, region=dong_nai, sector=furniture
        )
        Enterprise.objects.create(key="VN3", name="Binh Minh Foods", country=vn, sector=world.food)
    return v


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("furniture Binh", ["Phu Tai"]),  # the sector and the region, neither in the name
        ("FURNITURE   binh", ["Phu Tai"]),  # any case, any spacing
        ("binh", ["Binh Minh Foods", "Phu Tai"]),  # a name or a region
        ("furniture", ["Go Viet", "Phu Tai"]),
        ("furniture Lima", []),  # every word must match
        ("VN3", ["Binh Minh Foods"]),  # the key
        ("food viet", ["Binh Minh Foods"]),  # the sector and the country
    ],
)
def test_search_matches_every_word_in_any_field(
    admin_client: Client, vietnam: SimpleNamespace, q: str, expected: list[str]
) -> None:
    assert names(admin_client.get(ENTERPRISES, {"q": q, "sort": "name"})) == expected


def test_deliveries_are_found_by_their_partner_and_module(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    response = admin_client.get(DELIVERIES, {"q": "cámara m1"})
    assert [row.obj.key for row in response.context["rows"]] == ["BO-2016-01"]
    response = admin_client.get(TRAINERS, {"q": "bolivia ana"})
    assert names(response) == ["Ana Quispe"]


def test_enterprises_are_found_by_the_partners_that_trained_them(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    admin: Any,
) -> None:
    """Textiles Andina enrolled in BO-2016-01, organised by CAINCO (Cámara de
    Industria); Panadería Sol in BO-2017-01, which has no organiser; Inca Foods in
    PE-2016-01 (SENATI). A partner is a word of the search like the others."""
    from scoretrack.training.models import Enrolment

    with acting_as(admin):
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
        Enrolment.objects.create(delivery=world.d_bo2, enterprise=world.sol)
        Enrolment.objects.create(delivery=world.d_pe, enterprise=world.inca)
    assert names(admin_client.get(ENTERPRISES, {"q": "cainco", "sort": "name"})) == [
        "Textiles Andina"
    ]
    assert names(admin_client.get(ENTERPRISES, {"q": "industria textiles"})) == ["Textiles Andina"]
    assert names(admin_client.get(ENTERPRISES, {"q": "senati"})) == ["Inca Foods"]
    # Every word must still match: SENATI trained no Bolivian firm.
    assert names(admin_client.get(ENTERPRISES, {"q": "senati bolivia"})) == []


# --- counts and pages ------------------------------------------------------------


def test_the_header_counts_the_records_in_words(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    assert "3 enterprises" in admin_client.get(ENTERPRISES).content.decode()
    assert "1 enterprise<" in admin_client.get(ENTERPRISES, {"q": "inca"}).content.decode()
    assert "3 deliveries" in admin_client.get(DELIVERIES).content.decode()


def test_counts_are_in_the_locale_format() -> None:
    assert count_text(1234) == "1,234 found"
    with translation.override("fr"):
        assert count_text(1234).replace("\u202f", " ").replace("\xa0", " ") == "1 234 trouvés"


def test_the_pager_shows_page_numbers(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
    settings: Any,
) -> None:
    settings.PAGE_SIZE = 1
    html = admin_client.get(ENTERPRISES, {"sort": "name", "page": 2}).content.decode()
    assert '<a href="?sort=name&amp;page=1">1</a>' in html
    assert '<span aria-current="page">2</span>' in html
    assert '<a href="?sort=name&amp;page=3">3</a>' in html


# --- downloads -------------------------------------------------------------------


def rows_of_csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_current_filter_downloads_as_csv(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    response = admin_client.get(
        ENTERPRISES, {"country": "BO", "sort": "-name", "format": "csv", "page": "2"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="enterprises.csv"'
    # Every row of the filter (not one page), in the sort, with the list's columns.
    assert rows_of_csv(response) == [
        ["Name", "Key", "Country", "Region", "Sector", "Workforce", "Women-owned"],
        ["Textiles Andina", "E1", "Bolivia", "La Paz", "Textiles", "40", "yes"],
        ["Panadería Sol", "E2", "Bolivia", "", "Food", "", "no"],
    ]


def test_the_current_filter_downloads_as_xlsx(
    admin_client: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    response = admin_client.get(DELIVERIES, {"q": "BO", "sort": "key", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="deliveries.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0] == [
        "Key",
        "Country",
        "Module",
        "Organiser",
        "Start",
        "Independence",
        "Enterprises",
    ]
    assert [row[:4] + row[5:] for row in rows[1:]] == [
        ["BO-2016-01", "Bolivia", "M1", "Cámara de Industria", "By the partner with support", 0],
        ["BO-2017-01", "Bolivia", "M2", None, "Delivered by the programme", 0],
    ]
    assert [row[4].date().isoformat() for row in rows[1:]] == ["2016-03-01", "2017-05-10"]


def test_a_download_holds_only_what_the_user_may_see(
    world: SimpleNamespace,  # noqa: F811
) -> None:
    from scoretrack.lib.tests.test_page_scope import client_for

    peru = client_for("country_team", country=world.pe)
    response = peru.get(ENTERPRISES, {"format": "csv"})
    assert [row[0] for row in rows_of_csv(response)] == ["Name", "Inca Foods"]


def test_a_download_neutralises_formulas(admin_client: Client, world: SimpleNamespace) -> None:  # noqa: F811
    world.sol.name = "=HYPERLINK(1)"
    world.sol.save()
    response = admin_client.get(ENTERPRISES, {"format": "csv", "q": "E2"})
    assert rows_of_csv(response)[1][0] == "'=HYPERLINK(1)"


def test_an_unknown_format_is_refused(admin_client: Client, world: SimpleNamespace) -> None:  # noqa: F811
    response = admin_client.get(ENTERPRISES, {"format": "pdf"})
    assert response.status_code == 400


def test_the_list_links_its_downloads(admin_client: Client, world: SimpleNamespace) -> None:  # noqa: F811
    html = admin_client.get(ENTERPRISES, {"q": "andina", "sort": "-name"}).content.decode()
    assert 'href="?q=andina&amp;sort=-name&amp;format=csv"' in html
    assert 'href="?q=andina&amp;sort=-name&amp;format=xlsx"' in html


# --- queries ---------------------------------------------------------------------


def queries_of(client: Client, params: dict[str, str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(ENTERPRISES, params)
        if params.get("format"):
            b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [{"sort": "-region__name", "q": "a"}, {"sort": "sector__name", "format": "csv"}],
)
def test_the_queries_do_not_grow_with_the_rows(
    admin_client: Client,
    admin: Any,
    world: SimpleNamespace,  # noqa: F811
    params: dict[str, str],
) -> None:
    few = queries_of(admin_client, params)
    with acting_as(admin):
        for n in range(10):
            Enterprise.objects.create(
                key=f"X{n}", name=f"Alpaca {n}", country=world.bo, region=world.la_paz
            )
    assert queries_of(admin_client, params) == few
