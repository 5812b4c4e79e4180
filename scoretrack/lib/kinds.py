"""Record kinds, each declared once, and the registry that holds them.

A kind is one sort of record: its model, and, when it travels in the workbook,
its sheet (name, columns, identity, help), where the exporter reads its cells,
its list column, the importer class that writes it; who may write it and the
parents that scope it. Each domain app declares its kinds in its `kinds.py`
(a tuple `KINDS`); the registry finds those modules the first time it is asked
(`all_kinds()`), after the apps are loaded. The workbook schema, importer and
exporter tables, API resources and the scoping tables of writes are derived
from these declarations (exchange/schema.py, exporter.py, importer.py,
accounts/scoping.py).

Pure: this module knows no app of scoretrack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoretrack.lib.cells import Column, Sheet

# Role groups for `Kind.writers` (role codes of accounts.Role).
PARTNER_SIDE = frozenset({"country_team", "partner"})
FIELD_SIDE = frozenset({"country_team", "partner", "trainer"})
FIRM_SIDE = frozenset({"country_team", "partner", "trainer", "enterprise"})

DEFAULT_IMPORTER = "scoretrack.exchange.importer.SheetImporter"


@dataclass(frozen=True)
class Export:
    """Where the exporter (and the API) reads a sheet's cells."""

    order: tuple[str, ...]  # ORM paths the rows are sorted by
    paths: Mapping[str, str] = field(default_factory=dict)  # column -> ORM path, if not its name
    country: str | None = None  # ORM path of the country code, for an export of one country
    global_too: bool = False  # rows without a country belong to every country's export


@dataclass(frozen=True)
class ListColumn:
    """A column listing linked records: the link model, its owner and key paths."""

    column: str
    through: Any  # the link model
    owner: str  # the link's field holding the row's record (attname)
    key: str  # ORM path, from the link, of the linked record's key


@dataclass(frozen=True)
class Dated:
    """When and where a record happened, as ORM paths from its model: the day that
    places it in a reporting period (a delivery's start, a visit's date, a KPI's
    month...) and its country programme's id. A period a country team approved
    locks the records dated in it (scoretrack.quality), and "approved data only"
    figures count only those."""

    date: str  # "start_date", or through a parent: "delivery__start_date"
    country: str  # "country_id", or through a parent: "enterprise__country_id"


@dataclass(frozen=True)
class Kind:
    model: type[Any]
    name: str | None = None  # the sheet's name; None: not in the workbook
    columns: tuple[Column, ...] = ()
    identity: tuple[str, ...] | None = None  # identity columns; None: matched by content
    help: str = ""
    writers: frozenset[str] = frozenset()  # roles, besides global admins, that may write it
    # The writers that may also create one (None: all of them); the others only change
    # the records they have (an enterprise user its own firm's facts).
    creators: frozenset[str] | None = None
    parents: tuple[str, ...] = ()  # FK fields whose records scope it (see scoping.writable)
    export: Export | None = None
    listed: ListColumn | None = None
    importer: str = DEFAULT_IMPORTER  # dotted path of its importer class
    reference: str | None = None  # what reference columns call it ("organisation")
    after: tuple[str, ...] = ()  # sheets its import reads besides its references
    position: int = 1000  # its place in the workbook, and the import order's tie-break
    dated: Dated | None = None  # when and where its records happened (None: undated)
    sheet: Sheet | None = field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        if self.name:
            sheet = Sheet(self.name, self.columns, self.identity, self.help)
            object.__setattr__(self, "sheet", sheet)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def path_of(self, column: str) -> str:
        """The ORM path, from the model, of a column's value."""
        paths = self.export.paths if self.export else {}
        return paths.get(column, column)

    def identity_fields(self) -> tuple[str, ...]:
        """The model fields (attnames) the identity columns stand for, in order."""
        found: dict[str, None] = {}
        for column in self.identity or ():
            first = self.path_of(column).split("__")[0]
            found[self.model._meta.get_field(first).attname] = None
        return tuple(found)


_registry: list[Kind] = []
# Rows that are not kinds (derived rows the figures count) but are dated like them,
# declared in a kinds module's `DATED` mapping {model: Dated}.
_dated: dict[str, Dated] = {}
_state = {"loaded": False, "loading": False}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        if kind in _registry:
            continue
        clash = [
            k for k in _registry if k.model is kind.model or (kind.name and k.name == kind.name)
        ]
        if clash:
            raise ValueError(f"record kind {kind.label} ({kind.name}) is declared twice")
        _registry.append(kind)


def _load() -> None:
    """Import every installed app's `kinds` module, once (they register their kinds)."""
    if _state["loaded"] or _state["loading"]:
        return
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    _state["loading"] = True
    try:
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "kinds"):
                module = import_module(f"{config.name}.kinds")
                register(*getattr(module, "KINDS", ()))
                for model, dated in getattr(module, "DATED", {}).items():
                    _dated[model._meta.label] = dated
        _state["loaded"] = True
    finally:
        _state["loading"] = False


def all_kinds() -> tuple[Kind, ...]:
    """Every declared kind, in workbook order (position, then declaration)."""
    _load()
    return tuple(sorted(_registry, key=lambda kind: kind.position))


def sheet_kinds() -> tuple[Kind, ...]:
    """The kinds that have a sheet, in workbook order."""
    return tuple(kind for kind in all_kinds() if kind.name)


def kind_for_model(model: Any) -> Kind | None:
    label = model._meta.label
    return next((kind for kind in all_kinds() if kind.label == label), None)


def kind_named(name: str) -> Kind:
    for kind in all_kinds():
        if kind.name == name:
            return kind
    raise KeyError(name)


def dated_of(model: Any) -> Dated | None:
    """When and where records of `model` happened (a kind's `dated`, or a row's `DATED`)."""
    kind = kind_for_model(model)
    if kind is not None and kind.dated is not None:
        return kind.dated
    return _dated.get(model._meta.label)


def dated_models() -> list[tuple[Any, Dated]]:
    """Every dated kind's model with its declaration, in workbook order."""
    return [(kind.model, kind.dated) for kind in all_kinds() if kind.dated is not None]
