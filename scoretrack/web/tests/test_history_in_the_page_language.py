"""A record's history names its fields by their labels and shows values as the page
does, in the page language: choices by their label, yes/no, dates and numbers in
the language's format, linked records by their name.

The world (lib/tests/pages.py): delivery BO-2016-01 (by the partner with support,
organised by Cámara de Industria, started 2016-03-01); Panadería Sol (Food, not
women-owned, workforce not known). HQ then changes them as below.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)


@pytest.fixture
def changed(world: SimpleNamespace, admin: Any) -> SimpleNamespace:  # noqa: F811
    with acting_as(admin):
        world.d_bo.independence = "independent"
        world.d_bo.organiser = None
        world.d_bo.start_date = dt.date(2016, 4, 15)
        world.d_bo.save()
        world.sol.women_owned = True
        world.sol.workforce_female = 1200
        world.sol.sector = world.textiles
        world.sol.save()
    return world


def history(client: Client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    html = client.get(url).content.decode()
    return html[html.index('id="history-title"') :]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "<strong>Organiser</strong>: Cámara de Industria → —",
                "<strong>Independence</strong>: By the partner with support → By the partner alone",
                "<strong>Start date</strong>: March 1, 2016 → April 15, 2016",
                "<td>changed</td>",
            ],
        ),
        (
            "es",
            [
                "<strong>Organizador</strong>: Cámara de Industria → —",
                "<strong>Independencia</strong>: Por el socio con apoyo → "
                "Por el socio de forma independiente",
                "<strong>Fecha de inicio</strong>: 1 de marzo de 2016 → 15 de abril de 2016",
                "<td>modificado</td>",
            ],
        ),
    ],
)
def test_a_deliverys_history_reads_in_the_page_language(
    admin_client: Client, changed: SimpleNamespace, language: str, expected: list[str]
) -> None:
    html = history(
        admin_client, reverse("training:delivery-detail", args=[changed.d_bo.pk]), language
    )
    for line in expected:
        assert line in html
    assert "organiser_id" not in html and "supported" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "<strong>Sector</strong>: Food → Textiles",
                "<strong>Women in the workforce</strong>: — → 1,200",
                "<strong>Women owned</strong>: no → yes",
            ],
        ),
        (
            "es",
            [
                "<strong>Sector</strong>: Food → Textiles",
                "<strong>Mujeres en la plantilla</strong>: — → 1.200",
                "<strong>Propiedad de mujeres</strong>: no → sí",
            ],
        ),
    ],
)
def test_an_enterprises_history_names_its_fields_and_values(
    admin_client: Client, changed: SimpleNamespace, language: str, expected: list[str]
) -> None:
    url = reverse("enterprises:enterprise-detail", args=[changed.sol.pk])
    html = history(admin_client, url, language)
    for line in expected:
        assert line in html
    assert "workforce_female" not in html and "True" not in html


STAMPS = {"id", "created_at", "created_by", "updated_at", "updated_by"}


@pytest.mark.parametrize("language", ["es", "fr", "id", "vi", "zh-hans"])
def test_every_field_a_history_may_name_has_its_label_translated(language: str) -> None:
    """Assessments, KPI selections and observations, events… included: each record
    field's history label (its form's label) is in the language's catalogue."""
    from django.utils.translation import trans_real

    from scoretrack.web.audit import field_label, record_models

    catalogue = trans_real.translation(language)._catalog
    untranslated = sorted(
        {
            f"{model.__name__}.{field.name}: {field_label(model, field.name)}"
            for model in record_models()
            for field in model._meta.concrete_fields
            if field.name not in STAMPS and field_label(model, field.name) not in catalogue
        }
    )
    assert untranslated == []
