"""Admin base: change history on every record, stamps read-only, scoped queryset.

The big lists (participants, enterprises, KPI observations, visits: hundreds of
thousands of rows) are read on indexes only (issue 21): ordered by an indexed
column (newest changes first, the sync index), sortable only by indexed columns,
filtered with fixed choices (no DISTINCT over the table to find them), searched by
exact keys through the key indexes (`KeySearch`), and never counted in full: a list
counts at most `CappedPaginator.cap` rows (a filtered COUNT read every matching row,
200 ms at 606,000 participants on SQLite, growing with the table) and then says
"more than 10000" (templates/admin/pagination.html). Each
row's action checkbox is written directly, not rendered through the form widget's
template: 50 template renders were a quarter of a list page's time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

STAMPS = ("id", "created_at", "created_by", "updated_at", "updated_by")
# The sync index (updated_at, id) read backwards: the newest changes first.
NEWEST_FIRST = ("-updated_at", "-id")


class CappedPaginator(Paginator):
    """Counts the rows up to `cap` only: `SELECT COUNT(*) FROM (SELECT ... LIMIT cap+1)`,
    unordered, stops at the cap's row instead of reading every row that matches; past
    the cap, `capped` and the count is the cap (its pages are the first cap's)."""

    cap = 10_000
    capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class RecordAdmin(SimpleHistoryAdmin):
    readonly_fields = STAMPS
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedPaginator

    def get_queryset(self, request: Any) -> Any:
        # The admin goes through the one scoping method too.
        return super().get_queryset(request).visible_to(request.user)

    def action_checkbox(self, obj: Any) -> SafeString:
        """The row's checkbox, as Django's (a CheckboxInput rendered through its
        template), written directly."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class KeySearch:
    """Search a big list by exact keys, each looked up in its key index.

    `key_search` names the foreign keys whose record's `key` (or `code`) a search
    word may be: a row matches when one of them has that key exactly, as
    `fk_id IN (ids)`, the ids found first in the key index, which both databases
    answer from the foreign key's index, where a `LIKE '%word%'` through the joins
    reads every row. `own_keys` are the list's own indexed key fields.
    """

    key_search: dict[str, str] = {}
    own_keys: tuple[str, ...] = ()

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        words = search_term.split()
        if not words:
            return queryset, False
        model = queryset.model
        for word in words:
            found = Q(pk__in=[])
            for fk, field in self.key_search.items():
                related = model._meta.get_field(fk).related_model
                # The ids themselves, not a subquery: PostgreSQL planned the OR of two
                # `IN (SELECT ...)` as a scan of every row (0.78 s at 606,000
                # participants), the OR of two id lists as two index scans.
                ids = list(
                    related._base_manager.filter(**{field: word}).values_list("pk", flat=True)
                )
                if ids:
                    found |= Q(**{f"{fk}__in": ids})
            queryset = queryset.filter(found)
        return queryset, False


class ExactKeyFirst:
    """A search that is a record's key exactly finds it through the key index (the
    `key_field`); any other search is the list's own (say a name's words), which
    reads every row."""

    key_field = "key"

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        term = search_term.strip()
        if term and " " not in term:
            exact = queryset.filter(**{self.key_field: term})
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


def fixed_choices(field: str, values: Iterable[int], title: str) -> type[admin.SimpleListFilter]:
    """A list filter offering `values` (and blank) without asking the table which
    values it holds (the default filter of a field without choices runs a DISTINCT
    over every row for that)."""
    offered = [(str(value), str(value)) for value in values]

    class Fixed(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
            return [*offered, ("none", _("Blank"))]

        def queryset(self, request: Any, queryset: Any) -> Any:
            value = self.value()
            if value == "none":
                return queryset.filter(**{f"{field}__isnull": True})
            if value in dict(offered):
                return queryset.filter(**{field: int(value)})
            return queryset

    Fixed.title = title
    Fixed.__name__ = f"{field.title()}Filter"
    return Fixed


class RecordInline(admin.TabularInline):
    extra = 0
    show_change_link = True
