"""The field forms: every one compiles with pyxform, in every language; the media a
user gets hold only what it may see; the page lists the forms a role may submit."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from openpyxl import load_workbook

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.accounts.scoping import RULES, everyone
from scoretrack.collect import xlsform
from scoretrack.collect.forms import FORMS, Refused, forms_for
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
        code="defects",
        name="Defect rate",
        unit="%",
        better="lower",
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
        "English (en)",
        "Español (es)",
        "Français (fr)",
        "Bahasa Indonesia (id)",
        "Tiếng Việt (vi)",
        "中文 (zh)",
    }
    warnings: list[str] = []
    xlsform.compile_xform(form.xlsform(admin), warnings)
    assert warnings == []


def test_labels_and_catalogue_names_in_every_language(catalogue: None, admin: Any) -> None:
    book = load_workbook(io.BytesIO(FORMS["assessment"].xlsform(admin)))
    survey = list(book["survey"].values)
    header = survey[0]
    practice = dict(zip(header, next(row for row in survey if row[1] == "p_WC.1"), strict=True))
    assert practice["type"] == "select_one answer"
    assert practice["label::English (en)"] == "Workers are consulted"
    assert practice["label::Español (es)"] == "Se consulta"
    assert practice["label::Français (fr)"] == "Workers are consulted"  # none in French
    kind = dict(zip(header, next(row for row in survey if row[1] == "kind"), strict=True))
    assert kind["label::Español (es)"] == "Tipo"
    choices = list(book["choices"].values)
    baseline = dict(zip(choices[0], next(r for r in choices if r[1] == "baseline"), strict=True))
    assert baseline["label::Español (es)"] == "Línea de base"
    settings = dict(zip(*book["settings"].values, strict=True))
    assert settings["form_id"] == "assessment"
    assert settings["version"] == FORMS["assessment"].version()


def test_the_version_changes_with_the_catalogue(catalogue: None) -> None:
    form = FORMS["assessment"]
    before = form.version()
    assert before == form.version()  # the same definition, the same version
    Practice.objects.create(code="EN-1", name="Energy is metered")
    assert form.version() != before
    # forms that read no catalogue keep theirs
    visit = FORMS["visit"].version()
    Practice.objects.create(code="EN-2", name="Water is metered")
    assert FORMS["visit"].version() == visit


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_a_trainers_media_hold_only_its_own(world: Any) -> None:
    """Ana trains D-BO (E-BO1 enrolled) and visited E-BO2 in Bolivia; Luis trains D-PE
    (E-PE1) in Peru: each phone carries its own, none of the other's."""
    w = world
    luis = User.objects.create_user(email="luis@x.org", password="pw")
    RoleAssignment.objects.create(user=luis, role="trainer", trainer=w.T_PE)
    KpiSelection.objects.create(
        enterprise=w.E_BO1,
        kpi=Kpi.objects.create(code="absent", name="A", unit="%", better="lower"),
        selected_on=w.D_BO.start_date,
    )
    ana = FORMS["attendance"].media(w.users["trainer"])
    assert rows(ana["deliveries.csv"]) == [
        ["name", "label"],
        [str(w.D_BO.pk), "D-BO · Workplace Cooperation · 2015-06-01"],
    ]
    assert rows(ana["enrolments.csv"]) == [
        ["name", "label", "delivery"],
        [str(w.E_BO1.pk), "Textil Andina (E-BO1)", str(w.D_BO.pk)],
    ]
    ana = FORMS["kpi_month"].media(w.users["trainer"])
    assert rows(ana["enterprises.csv"]) == [
        ["name", "label"],
        [str(w.E_BO2.pk), "Muebles Sur (E-BO2)"],
        [str(w.E_BO1.pk), "Textil Andina (E-BO1)"],
    ]
    assert rows(ana["kpi_selections.csv"]) == [["enterprise", "kpi"], [str(w.E_BO1.pk), "absent"]]
    assert rows(FORMS["visit"].media(w.users["trainer"])["trainers.csv"]) == [
        ["name", "label"],
        [str(w.T_BO.pk), "Ana (T-BO)"],
    ]
    media = FORMS["visit"].media(luis)
    assert rows(media["enterprises.csv"]) == [
        ["name", "label"],
        [str(w.E_PE1.pk), "Pesca Norte (E-PE1)"],
    ]
    assert rows(media["deliveries.csv"]) == [
        ["name", "label"],
        [str(w.D_PE.pk), "D-PE · Workplace Cooperation · 2015-06-01"],
    ]
    assert rows(media["trainers.csv"]) == [["name", "label"], [str(w.T_PE.pk), "Luis (T-PE)"]]
    assert rows(FORMS["kpi_month"].media(luis)["kpi_selections.csv"]) == [["enterprise", "kpi"]]
    events = FORMS["event_participants"].media(w.users["country"])["events.csv"]
    assert rows(events) == [
        ["name", "label"],
        [str(w.EV_BO.pk), "Workshop · 2015-06-01 (EV-BO)"],
    ]


def test_catalogues_are_read_by_everyone() -> None:
    # The definitions read the catalogues unscoped (forms.catalogue): they are everyone's.
    for model in (Practice, Kpi):
        assert RULES[model._meta.label] is everyone


def binds(xml: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(xml)
    return {b.get("nodeset", ""): dict(b.attrib) for b in root.iter(f"{XF}bind")}


def texts(xml: str, language: str = "English (en)") -> list[str]:
    root = ET.fromstring(xml)
    for translation in root.iter(f"{XF}translation"):
        if translation.get("lang") == language:
            return ["".join(v.itertext()) for v in translation.iter(f"{XF}value")]
    return []


def test_the_kpi_form_with_an_empty_catalogue_compiles_and_says_why_it_asks_nothing(
    world: Any,
) -> None:
    """No KPI in the catalogue yet: the form still compiles (it used to fail, and the
    form list skipped it with no word), listed for the trainer, with a note saying
    why there is nothing to fill; an instance sent anyway is refused with that reason."""
    trainer = world.users["trainer"]
    form = FORMS["kpi_month"]
    assert "kpi_month" in [f.form_id for f in forms_for(trainer)]
    xml = form.xform(trainer)
    note = (
        "No KPI is in the catalogue yet, so there is nothing to report: the country team "
        "or HQ adds the KPIs to the catalogue first."
    )
    assert note in texts(xml)
    assert "Aún no hay ningún KPI en el catálogo" in " ".join(texts(xml, "Español (es)"))
    assert "/data/kpis/kpi" not in binds(xml)
    warnings: list[str] = []
    xlsform.compile_xform(form.xlsform(trainer), warnings)
    assert warnings == []
    root = ET.fromstring(
        f'<data id="kpi_month" version="{form.version()}"><no_kpis/>'
        "<meta><instanceID>uuid:k0</instanceID></meta></data>"
    )
    with pytest.raises(Refused) as refused:
        form.accept(root, world.users["enterprise"], version=form.version())
    assert refused.value.reason == note


def test_a_firm_that_selected_no_kpi_is_not_taken_by_the_kpi_form(
    catalogue: None, admin: Any
) -> None:
    """The firm's KPIs offered are its selected ones: a firm with none would leave an
    empty list, so the enterprise question says so at once (a constraint)."""
    bind = binds(FORMS["kpi_month"].xform(admin))["/data/enterprise"]
    assert bind["constraint"] == " /data/firm_kpis  != ''"
    message = bind["{http://openrosa.org/javarosa}constraintMsg"]
    xml = FORMS["kpi_month"].xform(admin)
    assert message == "jr:itext('/data/enterprise:jr:constraintMsg')"
    assert (
        "This enterprise has selected no KPI yet: choose its KPIs on its page (KPIs) "
        "before reporting a month."
    ) in texts(xml)
