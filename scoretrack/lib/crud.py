"""The generic pages every domain app uses, so no app writes the same view twice.

- `list_page`: search, filters, sorting by the columns that declare an ORM path,
  page size, pagination, the count in words; the current filter downloaded as CSV
  or xlsx (`?format=`); the results table alone for htmx.
- `get_visible`: a record the user may see, else 404.
- `edit_page`: create / edit with a ModelForm; re-renders the fields that depend
  on the chosen country when it changes (htmx).
- `delete_page`: what would go with a record and what would be unlinked from it,
  then its deletion once the user confirms (through the registered `Deletion`).
- `Inline` + `inline_urls`: rows of a parent (a delivery's enrolments) listed,
  added, edited and removed on the parent's page, with htmx partials and a plain
  page fallback for browsers without JavaScript.

Every queryset comes from `Model.objects.visible_to(request.user)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from scoretrack.lib.downloads import DOWNLOADS, table_download
from scoretrack.lib.forms import STALE, FilterForm, RecordForm, StaleVersion
from scoretrack.lib.hooks import may_write, may_write_kind
from scoretrack.lib.numbers import format_amount, format_number, is_number

CONFLICT = gettext_lazy(
    "Another record with these values was saved meanwhile; check the values and save again."
)


@dataclass(frozen=True)
class Column:
    """One column of a table: a label and a dotted attribute path of the row.

    `sort` is the ORM path a list sorts the column by (`country__name`); a column
    without one does not sort. Only these paths ever reach `order_by`.
    """

    label: str
    attr: str
    num: bool = False
    sort: str = ""
    # The attribute holding this amount's currency: shown with that currency's decimals.
    currency: str = ""
    decimals: int | None = None

    def value(self, obj: Any) -> Any:
        return self._read(obj, self.attr)

    def shown(self, obj: Any) -> Any:
        """The cell as a person reads it: numbers in the page language ("1,234.50"),
        where `value` keeps the raw number (for downloads)."""
        value = self.value(obj)
        if not self.num or not is_number(value):
            return value  # a year or a key is not a quantity: "2016", not "2,016"
        if self.currency:
            return format_amount(value, str(self._read(obj, self.currency)))
        return format_number(value, self.decimals)

    @staticmethod
    def _read(obj: Any, attr: str) -> Any:
        value = obj
        for part in attr.split("."):
            if value is None:
                return ""
            value = getattr(value, part)
            if callable(value):
                value = value()
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value


@dataclass(frozen=True)
class Row:
    obj: Any
    cells: list[tuple[Column, Any]]
    url: str = ""
    edit_url: str = ""
    delete_url: str = ""


def rows_of(objects: Sequence[Any], columns: Sequence[Column], url: Callable[[Any], str]) -> list:
    """The rows of a table, each with its cells and the URL of its record."""
    return [Row(obj, cells(obj, columns), url(obj)) for obj in objects]


def cells(obj: Any, columns: Sequence[Column]) -> list[tuple[Column, Any]]:
    return [(column, column.shown(obj)) for column in columns]


def get_visible(queryset: QuerySet[Any], user: Any, pk: Any) -> Any:
    """The record `pk` if the user may see it, else 404 (unknown and out of scope alike)."""
    return get_object_or_404(queryset.visible_to(user), pk=pk)


def require_write(user: Any, instance: Model) -> None:
    """403 unless the user may change the record as stored (or create one of its kind)."""
    # UUID keys are set on construction: `_state.adding` tells a new record apart.
    adding = instance._state.adding
    allowed = may_write_kind(user, type(instance)) if adding else may_write(user, instance)
    if not allowed:
        raise PermissionDenied(
            _("Your role does not let you change this %(kind)s.")
            % {"kind": instance._meta.verbose_name}
        )


# The page sizes a list offers (besides the configured default): bounded, so that
# no request asks for a page of a million rows.
PAGE_SIZES = (25, 50, 100, 200)


@dataclass(frozen=True)
class Header:
    """A column's header: its sort state (`aria-sort`) and the sort its link asks for."""

    column: Column
    state: str = ""  # "ascending", "descending" or "" (not the sort)
    next: str = ""  # the `sort` parameter of its link; "" when it does not sort


def count_text(count: int, noun: Any = None) -> str:
    """`count` records in words, the number in the page language's format. `noun` is
    an `ngettext_lazy(singular, plural, "count")` whose text shows `%(shown)s`."""
    shown = number_format(count, force_grouping=True)
    if noun is None:
        return ngettext("%(counter)s found", "%(counter)s found", count) % {"counter": shown}
    return noun % {"count": count, "shown": shown}


def sorted_by(
    objects: QuerySet[Any], columns: Sequence[Column], wanted: str
) -> tuple[QuerySet[Any], str]:
    """The rows in the order asked for (`path` or `-path` of a sortable column), else
    the queryset's own; the primary key breaks ties, so pages never overlap. The
    sort in effect is returned ("" for the default). A path no column declares is
    ignored: it never reaches `order_by`."""
    path = wanted.removeprefix("-")
    if path and path in {column.sort for column in columns if column.sort}:
        # Descending is the exact reverse of ascending (blanks last, then first), in
        # PostgreSQL's own null order, so that an index on (path, id) serves both.
        if wanted.startswith("-"):
            return objects.order_by(F(path).desc(nulls_first=True), "-pk"), wanted
        return objects.order_by(F(path).asc(nulls_last=True), "pk"), wanted
    default = list(objects.query.order_by or objects.model._meta.ordering)
    return objects.order_by(*default, "pk"), ""


def headers(columns: Sequence[Column], sort: str) -> list[Header]:
    """Each column's header: its state and the sort its link asks for (ascending
    first, descending when it is already the ascending sort)."""
    found = []
    for column in columns:
        if not column.sort:
            found.append(Header(column))
        elif sort == column.sort:
            found.append(Header(column, "ascending", f"-{column.sort}"))
        elif sort == f"-{column.sort}":
            found.append(Header(column, "descending", column.sort))
        else:
            found.append(Header(column, "", column.sort))
    return found


def page_size(request: HttpRequest) -> int:
    """The page size asked for, if it is one offered, else the configured default."""
    wanted = request.GET.get("size", "")
    sizes = {str(size): size for size in (*PAGE_SIZES, settings.PAGE_SIZE)}
    return sizes.get(wanted, settings.PAGE_SIZE)


def list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet[Any],
    filter_form: type[FilterForm],
    columns: Sequence[Column],
    detail: str,
    title: str,
    create: str = "",
    template: str = "lib/list.html",
    noun: Any = None,
    downloads: bool = True,
) -> HttpResponse:
    """A searchable, filterable, sortable, paginated table; `detail` is the rows' URL
    name. `noun` counts the rows in words (see `count_text`); with `downloads` the
    current filter and sort download as `?format=csv` or `?format=xlsx`, every row
    of it, with the table's columns."""
    form = filter_form(request.GET or None, user=request.user)
    model = queryset.model
    objects, sort = sorted_by(
        form.filter(queryset.visible_to(request.user)), columns, request.GET.get("sort", "")
    )
    fmt = request.GET.get("format")
    if fmt is not None and downloads:
        if fmt not in DOWNLOADS:
            return HttpResponseBadRequest(
                _("Unknown download format “%(format)s”: choose csv or xlsx.") % {"format": fmt}
            )
        return table_download(
            fmt,
            filename=slugify(str(title)) or "list",
            header=[str(column.label) for column in columns],
            rows=download_rows(objects, columns),
        )
    size = page_size(request)
    page = Paginator(objects, size).get_page(request.GET.get("page"))
    context = {
        "title": title,
        "form": form,
        "page": page,
        "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "count": count_text(page.paginator.count, noun),
        "columns": columns,
        "headers": headers(columns, sort),
        "sort": sort,
        "size": size,
        "sizes": sorted({*PAGE_SIZES, settings.PAGE_SIZE}),
        "downloads": downloads,
        "rows": rows_of(page.object_list, columns, lambda o: reverse(detail, args=[o.pk])),
        "create_url": reverse(create) if create and may_write_kind(request.user, model) else "",
    }
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


def download_rows(objects: QuerySet[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    """The cells of every row, read in chunks while the download streams, in the
    page's language (read now: the request is over when they are)."""
    language = translation.get_language()

    def rows() -> Iterator[list[Any]]:
        with translation.override(language):
            for obj in objects.iterator(chunk_size=2000):
                yield [column.value(obj) for column in columns]

    return rows()


def save_form(form: RecordForm) -> bool:
    """Save a valid form; a constraint broken by a concurrent write becomes a form error."""
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        form.add_error(None, CONFLICT)
        return False
    except StaleVersion:
        form.add_error(None, STALE)
        return False
    return True


def unchanged(form: RecordForm) -> bool:
    """An edit that changes nothing is not saved: it would write a history entry with
    nothing in it, and rewrite what others may have changed meanwhile."""
    return not form.instance._state.adding and not form.has_changed()


def nothing_changed(request: HttpRequest, form: RecordForm) -> None:
    messages.info(
        request, _("Nothing changed: %(record)s was left as it was.") % {"record": form.instance}
    )


def edit_page(
    request: HttpRequest,
    *,
    form_class: type[RecordForm],
    title: str,
    success: Callable[[Any], str],
    cancel: str,
    instance: Model | None = None,
    template: str = "lib/form.html",
    form_kwargs: dict[str, Any] | None = None,
    delete: str = "",
) -> HttpResponse:
    """Create (no instance) or edit a record; `success` gives the URL to go to after;
    `delete`, the record's delete page, is offered beside the buttons."""
    require_write(request.user, instance or form_class._meta.model())
    kwargs = {"user": request.user, "instance": instance, **(form_kwargs or {})}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid() and unchanged(form):
            nothing_changed(request, form)
            return redirect(success(form.instance))
        if form.is_valid() and save_form(form):
            messages.success(request, _("Saved %(record)s.") % {"record": form.instance})
            return redirect(success(form.instance))
    elif "_dependent" in request.GET:
        # The country changed: only the fields whose choices follow it are re-rendered.
        form = form_class(initial=request.GET.dict(), **kwargs)
        return render(request, f"{template}#dependent", {"form": form})
    else:
        form = form_class(**kwargs)
    context = {
        "title": title,
        "form": form,
        "cancel_url": cancel,
        "instance": instance,
        "delete_url": delete,
    }
    return render(request, template, context)


# --- deleting ---------------------------------------------------------------------


class DeletionRefused(Exception):
    """The deletion service refuses: the message says why (what depends on the record)."""


class DeletionPlan(Protocol):
    """What deleting a record would do, as the deletion service tells it."""

    deleted: Sequence[Any]  # what would go with it, one entry per kind ("3 enrolments")
    unlinked: Sequence[Any]  # what would stay, without its link to it
    refusal: str  # why it may not be deleted at all; "" when it may
    fingerprint: str  # changes whenever `deleted` or `unlinked` does


@dataclass(frozen=True)
class Deletion:
    """The deletion service, registered at start-up by the app that owns it (lib
    knows no app): `plan(user, record)`, and `delete(user, record, cascade)`, which
    raises DeletionRefused while others depend on the record and `cascade` is false."""

    plan: Callable[[Any, Model], DeletionPlan]
    delete: Callable[[Any, Model, bool], Any]


_deletion: list[Deletion] = []


def register_deletion(deletion: Deletion) -> None:
    _deletion[:] = [deletion]


def deletion() -> Deletion:
    if not _deletion:
        raise ImproperlyConfigured("no deletion service registered (scoretrack.web does it)")
    return _deletion[0]


def delete_page(
    request: HttpRequest,
    *,
    instance: Model,
    success: str,
    cancel: str,
    template: str = "lib/delete.html",
) -> HttpResponse:
    """Show what would go with the record and what would be unlinked from it; delete
    them all once the user confirms that very list (refused with the reason)."""
    require_write(request.user, instance)
    service, name, error = deletion(), str(instance), ""
    plan = service.plan(request.user, instance)
    if request.method == "POST" and not plan.refusal:
        if request.POST.get("expected") != plan.fingerprint:
            error = _("What depends on it changed meanwhile: check the list again.")
        else:
            try:
                service.delete(request.user, instance, True)  # the list shown was confirmed
            except DeletionRefused as exc:
                error = str(exc)
            else:
                messages.success(request, _("Deleted %(record)s.") % {"record": name})
                return redirect(success)
    context = {
        "title": _("Delete %(record)s") % {"record": name},
        "plan": plan,
        "error": error,
        "cancel_url": cancel,
    }
    return render(request, template, context, status=409 if request.method == "POST" else 200)


@dataclass(frozen=True)
class Inline:
    """Rows of a parent record, managed on the parent's page.

    `name` is the URL segment, the URL names' prefix and the section's id;
    `namespace` the URL namespace of the parent's app; `detail` the parent's URL name.
    """

    name: str
    title: str
    namespace: str
    detail: str
    parent_model: type[Model]
    form_class: type[RecordForm]
    parent_field: str
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    add_label: str = "Add"

    @property
    def model(self) -> type[Model]:
        return self.form_class._meta.model

    def url(self, action: str, parent: Any, row: Any = None) -> str:
        args = [parent.pk] if row is None else [parent.pk, row.pk]
        return reverse(f"{self.namespace}:{self.name}-{action}", args=args)

    def rows(self, request: HttpRequest, parent: Any) -> QuerySet[Any]:
        objects = self.model.objects.visible_to(request.user)
        return objects.filter(**{self.parent_field: parent}).select_related(*self.select_related)

    def row(self, parent: Any, obj: Any, can_write: bool = True) -> Row:
        return Row(
            obj,
            cells(obj, self.columns),
            url=self.url("show", parent, obj),
            edit_url=self.url("edit", parent, obj) if can_write else "",
            delete_url=self.url("delete", parent, obj) if can_write else "",
        )

    def table(self, request: HttpRequest, parent: Any, form: RecordForm | None = None) -> dict:
        """The context of the section on the parent's page (`lib/inline.html#section`)."""
        # Per-row rights are checked on each action; the buttons follow the kind.
        can_write = may_write_kind(request.user, self.model)
        return {
            "inline": self,
            "parent": parent,
            "rows": [self.row(parent, obj, can_write) for obj in self.rows(request, parent)],
            "add_url": self.url("add", parent),
            "parent_url": reverse(f"{self.namespace}:{self.detail}", args=[parent.pk]),
            "can_write": can_write,
            "form": form,
        }

    def new_form(self, request: HttpRequest, parent: Any, obj: Any = None) -> RecordForm:
        instance = obj or self.model(**{self.parent_field: parent})
        data = request.POST if request.method == "POST" else None
        return self.form_class(data, instance=instance, user=request.user)


def _render_inline(request: HttpRequest, partial: str, context: dict) -> HttpResponse:
    return render(request, f"lib/inline.html#{partial}", context)


def inline_urls(inline: Inline) -> list[URLPattern]:
    """The add / row / edit / delete endpoints of an inline, under `<parent>/<name>/`."""

    def parent_of(request: HttpRequest, pk: Any) -> Any:
        return get_visible(inline.parent_model.objects.all(), request.user, pk)

    def row_of(request: HttpRequest, parent: Any, row: Any) -> Any:
        return get_object_or_404(inline.rows(request, parent), pk=row)

    def back(parent: Any) -> str:
        return reverse(f"{inline.namespace}:{inline.detail}", args=[parent.pk]) + f"#{inline.name}"

    @login_required
    @require_http_methods(["GET", "POST"])
    def add(request: HttpRequest, pk: Any) -> HttpResponse:
        parent = parent_of(request, pk)
        require_write(request.user, inline.model())
        form = inline.new_form(request, parent)
        if request.method == "POST" and form.is_valid() and save_form(form):
            if request.htmx:
                return _render_inline(request, "section", {"t": inline.table(request, parent)})
            return redirect(back(parent))
        context = {"t": inline.table(request, parent, form)}
        if request.htmx:
            return _render_inline(request, "section" if form.is_bound else "add-form", context)
        return render(request, "lib/inline.html", {**context, "back": back(parent)})

    @login_required
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: Any, row: Any) -> HttpResponse:
        parent = parent_of(request, pk)
        obj = row_of(request, parent, row)
        require_write(request.user, obj)
        form = inline.new_form(request, parent, obj)
        if request.method == "POST" and form.is_valid():
            same = unchanged(form)
            if same or save_form(form):
                if request.htmx:
                    row = inline.row(parent, form.instance)
                    return _render_inline(request, "row", {"row": row})
                if same:
                    nothing_changed(request, form)
                return redirect(back(parent))
        table = {"inline": inline, "parent": parent, "form": form}
        context = {"t": table, "row": inline.row(parent, form.instance)}
        if request.htmx:
            return _render_inline(request, "edit-row", context)
        return render(request, "lib/inline.html", {**context, "back": back(parent)})

    @login_required
    @require_GET
    def show(request: HttpRequest, pk: Any, row: Any) -> HttpResponse:
        parent = parent_of(request, pk)
        obj = row_of(request, parent, row)
        if not request.htmx:
            return redirect(back(parent))  # a row alone is no page
        can_write = may_write_kind(request.user, inline.model)
        return _render_inline(request, "row", {"row": inline.row(parent, obj, can_write)})

    @login_required
    @require_POST
    def delete(request: HttpRequest, pk: Any, row: Any) -> HttpResponse:
        parent = parent_of(request, pk)
        obj = row_of(request, parent, row)
        require_write(request.user, obj)
        try:  # the history keeps it: a removal can be seen and undone
            deletion().delete(request.user, obj, False)
        except DeletionRefused as exc:
            messages.error(request, _("Not removed: %(reason)s") % {"reason": exc})
            to = back(parent)
            return HttpResponseClientRedirect(to) if request.htmx else redirect(to)
        if request.htmx:
            return HttpResponse("")
        messages.success(request, _("Removed %(record)s.") % {"record": obj})
        return redirect(back(parent))

    prefix = f"<uuid:pk>/{inline.name}/"
    return [
        path(prefix + "add/", add, name=f"{inline.name}-add"),
        path(prefix + "<uuid:row>/", show, name=f"{inline.name}-show"),
        path(prefix + "<uuid:row>/edit/", edit, name=f"{inline.name}-edit"),
        path(prefix + "<uuid:row>/delete/", delete, name=f"{inline.name}-delete"),
    ]
