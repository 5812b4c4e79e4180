"""The field forms: every one compiles with pyxform, in every language; the media a
user gets hold only what it may see; the page lists the forms a role may submit."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from openpyxl import load_workbook

from scoretrack.collect.forms import FORMS, forms_for
from scoretrack.outcomes.models import Kpi, KpiSelection, Practice

XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture
def catalogue(db: Any) -> None:
    Practice.objects.create(
        code="WC.1", name="Workers are consulted", name_translations={"es": "Se consulta"}
    )
    Practice.objects.create(code="QM-2", name="Defects are recorded")
    Kpi.objects.create(code="absent", name="Absenteeism", unit="%", better="lower")
    Kpi.objects.create(
        code="defects", name="Defect rate", unit="%", better="lower",
        name_translations={"fr": "Taux de défauts"},
    )


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_form_compiles_with_pyxform(catalogue: None, admin: Any, form_id: str) -> None:
    form = FORMS[form_id]
    xml = form.xform(admin)
    root = ET.fromstring(xml)
    instance = root.find(f".//{XF}instance/{XF}data")
    assert instance is not None
    assert instance.get("id") == form_id
    assert instance.get("version") == form.version()
    # every interface language is a translation of the form
    languages = {t.get("lang") for t in root.iter(f"{XF}translation")}
    assert languages == {
        "English (en)", "Español (es)", "Français (fr)", "Bahasa Indonesia (id)",
        "Tiếng Việt (vi)", "中文 (zh-Hans)",
    }
