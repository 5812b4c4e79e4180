"""HQ's catalogue pages: one declaration per catalogue (`CATALOGUES`), its list,
detail, create, edit and delete pages derived from it (`catalogue_urls`).

Reading follows the scoping rules (every signed-in user reads the catalogues);
writing follows each kind's `writers` (kinds.py): the catalogues, targets and
exchange rates are HQ's, regions and clusters also their country team's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.accounts.scoping import may_write, may_write_kind
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.lib.forms import FilterForm, RecordForm
from scoretrack.reference import catalogue_forms as forms


@dataclass(frozen=True)
class Catalogue:
    """One catalogue page set. `name` prefixes its URL names (`catalogues:sector-list`),
    `segment` is its URL folder; the first column links to the record."""

    name: str
    segment: str
    title: str
    new_title: str
    form_class: type[RecordForm]
    columns: tuple[Column, ...]
    filter_form: type[FilterForm]
    select_related: tuple[str, ...] = ()

    @property
    def model(self) -> type[Model]:
        return self.form_class._meta.model

    def url(self, action: str, obj: Any = None) -> str:
        return reverse(f"catalogues:{self.name}-{action}", args=[] if obj is None else [obj.pk])

    def queryset(self) -> QuerySet[Any]:
        return self.model.objects.select_related(*self.select_related)


def plain(value: Any) -> Any:
    """A stored decimal without the zeros its column pads it with (120, not 120.0000)."""
    return value.normalize() if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class Shown(Column):
    """A column whose decimals are shown plain and whose blanks say what they mean."""

    blank: str = ""

    def value(self, obj: Any) -> Any:
        value = super().value(obj)
        return self.blank if value == "" else plain(value)


NAME = Column(_("Name"), "localized_name")
CODE = Column(_("Code"), "code")
COUNTRY = Column(_("Country"), "country.name")

CATALOGUES = (
    Catalogue(
        "module",
        "modules",
        _("Modules"),
        _("New module"),
        forms.ModuleForm,
        (
            CODE,
            NAME,
            Column(_("Core"), "core"),
            Column(_("Compulsory first"), "compulsory_first"),
        ),
        forms.search_form(("code", "name")),
    ),
    Catalogue(
        "practice",
        "practices",
        _("Management practices"),
        _("New practice"),
        forms.PracticeForm,
        (CODE, NAME, Column(_("Module"), "module.code")),
        forms.search_form(("code", "name", "module__code")),
        ("module",),
    ),
    Catalogue(
        "kpi",
        "kpis",
        _("KPI catalogue"),
        _("New KPI"),
        forms.KpiForm,
        (
            CODE,
            NAME,
            Column(_("Unit"), "unit"),
            Column(_("Better"), "get_better_display"),
            Column(_("Module"), "module.code"),
        ),
        forms.search_form(("code", "name", "unit", "module__code")),
        ("module",),
    ),
    Catalogue(
        "sector",
        "sectors",
        _("Sectors"),
        _("New sector"),
        forms.SectorForm,
        (Column(_("Name"), "name"),),
        forms.search_form(("name",)),
    ),
    Catalogue(
        "country",
        "countries",
        _("Country programmes"),
        _("New country programme"),
        forms.CountryProgrammeForm,
        (
            Column(_("Name"), "name"),
            CODE,
            Column(_("Currency"), "currency"),
            Column(_("Start date"), "start_date"),
            Column(_("Status"), "get_status_display"),
        ),
        forms.search_form(("name", "code")),
    ),
    Catalogue(
        "region",
        "regions",
        _("Regions"),
        _("New region"),
        forms.RegionForm,
        (Column(_("Name"), "name"), COUNTRY),
        forms.search_form(("name", "country__name"), **forms.by_country()),
        ("country",),
    ),
    Catalogue(
        "cluster",
        "clusters",
        _("Clusters"),
        _("New cluster"),
        forms.ClusterForm,
        (Column(_("Name"), "name"), COUNTRY, Column(_("Sector"), "sector.name")),
        forms.search_form(("name", "country__name", "sector__name"), **forms.by_country()),
        ("country", "sector"),
    ),
    Catalogue(
        "phase",
        "phases",
        _("Phases"),
        _("New phase"),
        forms.PhaseForm,
        (
            Column(_("Name"), "name"),
            Column(_("Start date"), "start_date"),
            Column(_("End date"), "end_date"),
        ),
        forms.search_form(("name",)),
    ),
    Catalogue(
        "target",
        "targets",
        _("Targets"),
        _("New target"),
        forms.TargetForm,
        (
            Column(_("Indicator"), "indicator"),
            Shown(_("Country"), "country.name", blank=_("Global")),
            Shown(_("Period"), "period_label", blank=_("All")),
            Shown(_("Group"), "group_label", blank=_("Total")),
            Column(_("Cumulative target"), "cumulative"),
            Shown(_("Value"), "value", num=True),
        ),
        forms.search_form(("indicator",), **forms.by_country()),
        ("country", "phase"),
    ),
    Catalogue(
        "rate",
        "rates",
        _("Exchange rates"),
        _("New exchange rate"),
        forms.ExchangeRateForm,
        (
            Column(_("Currency"), "currency"),
            Column(_("Date"), "date"),
            Shown(_("Units per US dollar"), "per_usd", num=True),
        ),
        forms.search_form(("currency",)),
    ),
)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every catalogue page with the number of its records."""
    entries = [
        {
            "catalogue": catalogue,
            "url": catalogue.url("list"),
            "count": catalogue.model.objects.visible_to(request.user).count(),
            "create_url": catalogue.url("create")
            if may_write_kind(request.user, catalogue.model)
            else "",
        }
        for catalogue in CATALOGUES
    ]
    return render(request, "catalogues/index.html", {"entries": entries})


def facts(form: RecordForm, obj: Any) -> list[tuple[str, Any]]:
    """The record's values as its form labels them, choices as shown."""
    shown = []
    for bound in form:
        if bound.is_hidden:
            continue
        name = bound.name
        if name.startswith("name_"):  # a translated name, only on the form
            value = bound.initial
        elif getattr(obj, f"get_{name}_display", None):
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = plain(Column("", name).value(obj))
            if hasattr(value, "choice_label"):
                value = value.choice_label()
        shown.append((bound.label, value))
    return shown


def catalogue_views(catalogue: Catalogue) -> dict[str, Callable[..., HttpResponse]]:
    """The list, detail, create, edit and delete views of one catalogue."""

    def record(request: HttpRequest, pk: UUID) -> Any:
        return crud.get_visible(catalogue.queryset(), request.user, pk)

    def detail_url(obj: Any) -> str:
        return catalogue.url("detail", obj)

    @login_required
    @require_GET
    def list_view(request: HttpRequest) -> HttpResponse:
        return crud.list_page(
            request,
            queryset=catalogue.queryset(),
            filter_form=catalogue.filter_form,
            columns=catalogue.columns,
            detail=f"catalogues:{catalogue.name}-detail",
            create=f"catalogues:{catalogue.name}-create",
            title=catalogue.title,
        )

    @login_required
    @require_GET
    def detail(request: HttpRequest, pk: UUID) -> HttpResponse:
        obj = record(request, pk)
        form = catalogue.form_class(instance=obj, user=request.user)
        context = {
            "catalogue": catalogue,
            "record": obj,
            "facts": facts(form, obj),
            "can_edit": may_write(request.user, obj),
            "list_url": catalogue.url("list"),
            "edit_url": catalogue.url("edit", obj),
            "delete_url": catalogue.url("delete", obj),
        }
        return render(request, "catalogues/detail.html", context)

    @login_required
    @require_http_methods(["GET", "POST"])
    def create(request: HttpRequest) -> HttpResponse:
        return crud.edit_page(
            request,
            form_class=catalogue.form_class,
            title=catalogue.new_title,
            success=detail_url,
            cancel=catalogue.url("list"),
        )

    @login_required
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: UUID) -> HttpResponse:
        obj = record(request, pk)
        return crud.edit_page(
            request,
            form_class=catalogue.form_class,
            instance=obj,
            title=_("Edit %(record)s") % {"record": obj},
            success=detail_url,
            cancel=detail_url(obj),
        )

    @login_required
    @require_http_methods(["GET", "POST"])
    def delete(request: HttpRequest, pk: UUID) -> HttpResponse:
        obj = record(request, pk)
        return crud.delete_page(
            request, instance=obj, success=catalogue.url("list"), cancel=detail_url(obj)
        )

    return {"list": list_view, "detail": detail, "create": create, "edit": edit, "delete": delete}


def catalogue_urls(catalogue: Catalogue) -> list[URLPattern]:
    views, name = catalogue_views(catalogue), catalogue.name
    return [
        path(f"{catalogue.segment}/", views["list"], name=f"{name}-list"),
        path(f"{catalogue.segment}/new/", views["create"], name=f"{name}-create"),
        path(f"{catalogue.segment}/<uuid:pk>/", views["detail"], name=f"{name}-detail"),
        path(f"{catalogue.segment}/<uuid:pk>/edit/", views["edit"], name=f"{name}-edit"),
        path(f"{catalogue.segment}/<uuid:pk>/delete/", views["delete"], name=f"{name}-delete"),
    ]
