"""The record kinds (each app's kinds.py) and what is derived from them.

The workbook's sheets, the import order, the importers, the exporter's sources
and the scoping tables of writes all come from the declarations; these tests
hold the declarations to the models and the derived tables to what they were
when they were written by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from scoretrack.accounts import scoping
from scoretrack.exchange import schema
from scoretrack.exchange.exporter import LISTS, SOURCES
from scoretrack.exchange.importer import IMPORTERS, SheetImporter
from scoretrack.exchange.references import KINDS as REFERENCES
from scoretrack.lib.kinds import Kind, all_kinds, kind_for_model, kind_named, register, sheet_kinds

# The tuples as they were written by hand before the kinds were declared.
OLD_SHEETS = (
    "countries",
    "phases",
    "modules",
    "organisations",
    "agreements",
    "targets",
    "results_chain",
    "enterprises",
    "trainers",
    "trainer_milestones",
    "deliveries",
    "enrolments",
    "participants",
    "visits",
    "costs",
    "contributions",
    "practices",
    "assessments",
    "kpis",
    "kpi_observations",
    "kpi_selections",
    "initiatives",
    "worker_surveys",
    "rates",
    "events",
    "event_participants",
)
OLD_IMPORT_ORDER = (
    "countries",
    "phases",
    "modules",
    "rates",
    "organisations",
    "agreements",
    "targets",
    "results_chain",
    "enterprises",
    "trainers",
    "trainer_milestones",
    "deliveries",
    "enrolments",
    "participants",
    "visits",
    "costs",
    "contributions",
    "practices",
    "assessments",
    "kpis",
    "kpi_observations",
    "kpi_selections",
    "initiatives",
    "worker_surveys",
    "events",
    "event_participants",
)
PARTNER_SIDE = {"country_team", "partner"}
FIELD_SIDE = {"country_team", "partner", "trainer"}
FIRM_SIDE = {"country_team", "partner", "trainer", "enterprise"}
OLD_WRITERS = {
    "reference.Region": {"country_team"},
    "results.ResultLevel": {"country_team"},
    "reference.Cluster": {"country_team"},
    "reference.Organisation": PARTNER_SIDE,
    "reference.Agreement": {"country_team"},
    "enterprises.Enterprise": {"country_team", "partner", "enterprise"},
    "enterprises.LeadBuyerLink": PARTNER_SIDE,
    "training.Delivery": PARTNER_SIDE,
    "training.Enrolment": PARTNER_SIDE,
    "training.Participant": FIELD_SIDE,
    "training.ConsultingVisit": FIELD_SIDE,
    "trainers.Trainer": PARTNER_SIDE,
    "trainers.Milestone": {"country_team"},
    "finance.DirectCost": PARTNER_SIDE,
    "finance.Contribution": PARTNER_SIDE,
    "outcomes.Assessment": {"country_team", "trainer"},
    "outcomes.PracticeAnswer": {"country_team", "trainer"},
    "outcomes.KpiObservation": FIRM_SIDE,
    "outcomes.KpiSelection": FIRM_SIDE,
    "outcomes.Initiative": FIRM_SIDE,
    "outcomes.WorkerSurveyAnswer": FIRM_SIDE,
    "events.Event": {"country_team"},
    "events.EventParticipation": {"country_team"},
}
OLD_PARENTS = {
    "enterprises.LeadBuyerLink": ("enterprise",),
    "training.Enrolment": ("delivery", "enterprise"),
    "training.Participant": ("delivery", "enterprise"),
    "training.ConsultingVisit": ("enterprise", "delivery"),
    "trainers.Milestone": ("trainer",),
    "outcomes.Assessment": ("enterprise",),
    "outcomes.PracticeAnswer": ("assessment",),
    "outcomes.KpiObservation": ("enterprise",),
    "outcomes.KpiSelection": ("enterprise",),
    "outcomes.Initiative": ("enterprise",),
    "outcomes.WorkerSurveyAnswer": ("enterprise",),
    "events.EventParticipation": ("event",),
}
OLD_LISTS = {
    "enterprises": ("lead_buyers", "enterprises.LeadBuyerLink", "enterprise_id", "lead_buyer__key"),
    "deliveries": ("trainers", "training.Delivery_trainers", "delivery_id", "trainer__key"),
}


def test_the_workbook_keeps_its_sheets_in_their_order() -> None:
    assert tuple(sheet.name for sheet in schema.SHEETS) == OLD_SHEETS
    assert list(schema.SHEETS_BY_NAME) == list(OLD_SHEETS)


def test_the_import_order_computed_from_the_foreign_keys_is_the_old_one() -> None:
    assert schema.IMPORT_ORDER == OLD_IMPORT_ORDER


def test_the_import_order_puts_every_referenced_sheet_before_its_referrer() -> None:
    place = {name: i for i, name in enumerate(schema.IMPORT_ORDER)}
    sheet_of_reference = {kind.reference: kind.name for kind in sheet_kinds() if kind.reference}
    for kind in sheet_kinds():
        needed = set(schema.dependencies(kind))
        needed |= {sheet_of_reference[c.ref] for c in kind.columns if c.ref}
        needed.discard(kind.name)
        for name in needed:
            assert place[name] < place[kind.name], f"{name} after {kind.name}"


def test_the_dependencies_follow_foreign_keys_through_kinds_without_a_sheet() -> None:
    # An answer's assessment has no sheet: its enterprise and assessor are needed.
    assert set(schema.dependencies(kind_named("assessments"))) == {
        "enterprises",
        "trainers",
        "practices",
    }
    # The lead_buyers column's links: organisations.
    assert "organisations" in schema.dependencies(kind_named("enterprises"))


def test_a_cycle_between_sheets_is_refused() -> None:
    first = kind_named("countries")
    looped = Kind(first.model, "countries", first.columns, ("code",), after=("countries2",))
    other = Kind(first.model, "countries2", first.columns, ("code",), after=("countries",))
    with pytest.raises(ValueError, match="depend on each other"):
        schema.import_order((looped, other))


def _unique_sets(model: type[models.Model]) -> list[set[str]]:
    """The field sets the model holds unique (conditions and expressions' wrappers ignored)."""
    found = [{f.name} for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    found += [set(fields) for fields in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        names = set(constraint.fields)
        for expression in constraint.expressions:
            names |= _referenced(expression)
        found.append({model._meta.get_field(name).name for name in names})
    return found


def _referenced(expression: Any) -> set[str]:
    if isinstance(expression, str):
        return {expression}
    if isinstance(expression, models.F):
        return {expression.name}
    names: set[str] = set()
    for part in getattr(expression, "get_source_expressions", list)():
        names |= _referenced(part)
    return names


@pytest.mark.parametrize("name", [k.name for k in sheet_kinds() if k.identity])
def test_a_sheets_identity_is_a_unique_constraint_of_its_model(name: str) -> None:
    kind = kind_named(name)
    fields = {kind.model._meta.get_field(f).name for f in kind.identity_fields()}
    assert fields in _unique_sets(kind.model), (name, fields)


def test_every_sheet_has_an_importer_and_an_export_source() -> None:
    names = [kind.name for kind in sheet_kinds()]
    assert set(IMPORTERS) == set(SOURCES) == set(names)
    for name in names:
        assert issubclass(IMPORTERS[name], SheetImporter)
        assert SOURCES[name].model is kind_named(name).model
        for column in kind_named(name).columns:
            if column.type.name == "list":
                assert LISTS[name][0] == column.name


def test_the_list_columns_are_the_old_ones() -> None:
    assert {name: (c, t._meta.label, o, k) for name, (c, t, o, k) in LISTS.items()} == OLD_LISTS


def test_reference_kinds_are_keyed_by_their_first_identity_column() -> None:
    assert {name: (m._meta.label, key, c) for name, (m, key, c) in REFERENCES.items()} == {
        "country": ("reference.CountryProgramme", "code", False),
        "phase": ("reference.Phase", "name", False),
        "module": ("reference.Module", "code", False),
        "practice": ("outcomes.Practice", "code", False),
        "kpi": ("outcomes.Kpi", "code", False),
        "organisation": ("reference.Organisation", "key", True),
        "enterprise": ("enterprises.Enterprise", "key", True),
        "trainer": ("trainers.Trainer", "key", True),
        "delivery": ("training.Delivery", "key", True),
        "event": ("events.Event", "key", True),
    }


def test_the_scoping_tables_of_writes_are_the_old_ones() -> None:
    assert scoping.WRITERS == OLD_WRITERS
    assert scoping.PARENTS == OLD_PARENTS


def test_every_kind_has_a_read_rule_and_its_parents_are_foreign_keys() -> None:
    for kind in all_kinds():
        assert kind.label in scoping.RULES, kind.label
        for parent in kind.parents:
            assert kind.model._meta.get_field(parent).many_to_one, (kind.label, parent)


def test_a_kind_is_found_by_model_and_by_name_and_declared_once() -> None:
    kind = kind_named("enterprises")
    assert kind_for_model(kind.model) is kind
    with pytest.raises(KeyError):
        kind_named("nothing")
    with pytest.raises(ValueError, match="declared twice"):
        register(Kind(kind.model, "firms"))


def test_the_registry_and_the_cell_types_import_no_app() -> None:
    import ast
    from pathlib import Path

    import scoretrack.lib

    lib = Path(scoretrack.lib.__file__).parent
    for name in ("kinds.py", "cells.py"):
        tree = ast.parse((lib / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module.startswith("scoretrack."):
                    assert module.startswith("scoretrack.lib."), (name, module)
