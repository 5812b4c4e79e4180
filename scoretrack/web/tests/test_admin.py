"""Every domain model is in the admin, with its list, search, add form and history."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import ModelAdmin as DjangoAdmin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoretrack.lib.admin import CappedPaginator, RecordAdmin
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.models import Record
from scoretrack.quality.models import Approval
from scoretrack.reference.models import CountryProgramme

DOMAIN_MODELS = [
    model
    for model in apps.get_models()
    if issubclass(model, Record) and not model._meta.label.split(".")[1].startswith("Historical")
]
READ_ONLY = {Approval}


def test_every_domain_model_is_registered() -> None:
    missing = [m._meta.label for m in DOMAIN_MODELS if m not in admin.site._registry]
    assert missing == []
    assert len(DOMAIN_MODELS) == 32


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m._meta.label)
def test_each_admin_list_searches_and_add_form_render(admin_client: Client, model: type) -> None:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(base + "?q=zz").status_code == 200
    # Approvals are read only there (quality/tests/test_admin.py).
    added = 403 if model in READ_ONLY else 200
    assert admin_client.get(base + "add/").status_code == added


def test_the_history_of_a_record_is_visible_in_the_admin(admin_client: Client, admin) -> None:
    with acting_as(admin):
        peru = CountryProgramme.objects.create(code="PE", name="Peru")
        peru.name = "Perú"
        peru.save()
    response = admin_client.get(f"/admin/reference/countryprogramme/{peru.pk}/history/")
    assert response.status_code == 200
    assert "Perú" in response.content.decode()
    assert "hq@example.org" in response.content.decode()


def test_a_lists_checkboxes_are_djangos_written_directly(
    admin_client: Client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    with acting_as(admin):
        peru = CountryProgramme.objects.create(code="PE", name="Perú <b>")
    url = "/admin/reference/countryprogramme/"
    ours = rows(admin_client.get(url).content.decode())
    checkbox = (
        f'<input type="checkbox" name="_selected_action" value="{peru.pk}" class="action-select"'
        ' aria-label="Select this object for an action - Perú &lt;b&gt;">'
    )
    assert checkbox in ours
    # Django's own, rendered through the widget's template: the same rows.
    monkeypatch.setattr(RecordAdmin, "action_checkbox", DjangoAdmin.action_checkbox)
    assert rows(admin_client.get(url).content.decode()) == ours


def rows(page: str) -> str:
    if "<tbody>" not in page:
        return ""  # no row found
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_a_list_counts_up_to_its_cap_and_then_says_more_than(
    admin_client: Client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    url = "/admin/reference/countryprogramme/"
    with acting_as(admin):
        CountryProgramme.objects.create(code="PE", name="Peru")
        CountryProgramme.objects.create(code="BO", name="Bolivia")
    assert "\n2 country programmes\n" in admin_client.get(url).content.decode()
    with acting_as(admin):
        CountryProgramme.objects.create(code="CO", name="Colombia")
    with CaptureQueriesContext(connection) as seen:
        page = admin_client.get(url).content.decode()
    assert "\nmore than 2 country programmes\n" in page
    (count,) = [q["sql"] for q in seen.captured_queries if "COUNT(" in q["sql"]]
    assert "LIMIT 3" in count and "ORDER BY" not in count
    admin_client.cookies.load({"django_language": "es"})
    spanish = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "más de 2" in spanish


def test_a_capped_list_offers_every_matching_row_not_a_count_it_did_not_make(
    admin_client: Client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the cap the count is the cap: "Select all 2" would be untrue, and the
    # action runs on every row that matches.
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    url = "/admin/reference/countryprogramme/"
    with acting_as(admin):
        for code, name in (("PE", "Peru"), ("BO", "Bolivia"), ("CO", "Colombia")):
            CountryProgramme.objects.create(code=code, name=name)
    page = admin_client.get(url).content.decode()
    assert "Select all country programmes that match (more than 2)" in page
    assert "All country programmes that match selected" in page
    assert "Select all 2" not in page and "All 2 selected" not in page
    admin_client.cookies.load({"django_language": "es"})
    spanish = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "que coinciden (más de 2)" in spanish
    monkeypatch.setattr(CappedPaginator, "cap", 10)  # under the cap: Django's own words
    admin_client.cookies.load({"django_language": "en"})
    page = admin_client.get(url).content.decode()
    assert "that match" not in page


def test_an_exact_key_finds_its_enterprise_through_the_index_and_words_still_search_names(
    admin_client: Client,
) -> None:
    from scoretrack.indicators.tests.conftest import Make

    make = Make()
    names = {("BO", "E-1"): "Andes Textiles", ("PE", "E-1"): "Lima Textiles"}
    names[("PE", "E-12")] = "Cusco Metal"
    for (country, key), name in names.items():
        firm = make.enterprise(key, country=country)
        firm.name = name
        firm.save()
    url = "/admin/enterprises/enterprise/"
    with CaptureQueriesContext(connection) as seen:
        page = rows(admin_client.get(url, {"q": "E-1"}).content.decode())
    assert ("Andes Textiles" in page, "Lima Textiles" in page, "Cusco Metal" in page) == (
        True,
        True,
        False,
    )
    assert not any("LIKE" in q["sql"] for q in seen.captured_queries)
    page = rows(admin_client.get(url, {"q": "textiles"}).content.decode())
    assert ("Andes Textiles" in page, "Lima Textiles" in page, "Cusco Metal" in page) == (
        True,
        True,
        False,
    )
    page = rows(admin_client.get(url, {"q": "E-"}).content.decode())  # no such key: contains
    assert ("Andes Textiles" in page, "Cusco Metal" in page) == (True, True)


def test_participants_are_searched_by_a_delivery_or_an_enterprise_key_through_id_lists(
    admin_client: Client,
) -> None:
    from scoretrack.indicators.tests.conftest import Make

    make = Make()
    first, second = make.delivery("D-1"), make.delivery("D-2")
    ana, ben = make.enterprise("E-ANA"), make.enterprise("E-BEN")
    for delivery, firm in ((first, ana), (first, ben), (second, ben)):
        make.participant(delivery, firm)
    url = "/admin/training/participant/"

    def found(word: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            page = rows(admin_client.get(url, {"q": word}).content.decode())
        assert not any("IN (SELECT" in q["sql"] for q in seen.captured_queries)
        return page.count('name="_selected_action"')

    assert (found("D-1"), found("D-2"), found("E-BEN"), found("E-ANA"), found("X")) == (
        2,
        1,
        2,
        1,
        0,
    )
