"""Forms of the KPI pages: a firm's KPI selections, and its month grid of KPI values.

The grid is one form over many records: each cell is parsed here, each changed
cell becomes a `KpiObservationForm` (the one write path, `RecordForm`), and the
view saves them all or none (`KpiGrid.save`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.lib import crud
from scoretrack.lib.forms import STALE, RecordForm, StaleVersion
from scoretrack.lib.models import version_of
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection

QUARTER_MONTHS = (3, 6, 9, 12)

# The outlier rule, shown beside the grid (and documented in `outlier`).
OUTLIER_HELP = gettext_lazy(
    "A value is flagged, not refused, when it lies far outside the firm's own earlier "
    "values of that KPI: with four or more earlier values, below Q1 − 3 × IQR or above "
    "Q3 + 3 × IQR (Q1 and Q3 the lower and upper quartiles, IQR = Q3 − Q1); with one to "
    "three earlier values, or when they are all the same, more than 10 times or less than "
    "a tenth of their median. Check a flagged value, and keep it if it is right."
)


def kpi_label(kpi: Kpi) -> str:
    """A KPI as a choice: its name in the page language and its unit."""
    return f"{kpi.localized_name()} ({kpi.unit})"


class KpiSelectionForm(RecordForm):
    """One KPI of the catalogue chosen for the enterprise (set by the view)."""

    fixed_fields = ("enterprise",)

    class Meta:
        model = KpiSelection
        fields = ["kpi", "selected_on", "baseline", "target", "frequency"]
        labels = {
            "kpi": gettext_lazy("KPI"),
            "selected_on": gettext_lazy("Chosen on"),
            "baseline": gettext_lazy("Baseline"),
            "target": gettext_lazy("Target"),
            "frequency": gettext_lazy("Reporting frequency"),
        }
        help_texts = {
            "kpi": gettext_lazy("From the catalogue; its unit is shown in brackets."),
            "selected_on": gettext_lazy("The day the enterprise chose it with its trainer."),
            "baseline": gettext_lazy("The value before the improvements, in the KPI's unit."),
            "target": gettext_lazy("The value the enterprise aims for, in the KPI's unit."),
            "frequency": gettext_lazy(
                "Quarterly KPIs are reported in March, June, September and December."
            ),
        }
        widgets = {"selected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def limit_choices(self) -> None:
        field = self.fields["kpi"]
        field.label_from_instance = kpi_label
        # A KPI is chosen once per enterprise: the others already chosen are not offered.
        enterprise_id = self.instance.enterprise_id
        if enterprise_id is not None:
            taken = KpiSelection.objects.visible_to(self.user).filter(enterprise_id=enterprise_id)
            field.queryset = field.queryset.exclude(
                pk__in=taken.exclude(pk=self.instance.pk).values("kpi_id")
            )
        if self.instance._state.adding and not self.is_bound:
            self.initial.setdefault("selected_on", timezone.localdate())


class KpiObservationForm(RecordForm):
    """One cell of the grid as a record: the view sets its enterprise and KPI."""

    fixed_fields = ("enterprise", "kpi")

    class Meta:
        model = KpiObservation
        fields = ["month", "value", "numerator", "denominator"]


# --- months ------------------------------------------------------------------------


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def window(year: int | None, today: dt.date) -> list[dt.date]:
    """The grid's months: a calendar year, or the last twelve up to this month."""
    if year is not None:
        return [dt.date(year, month, 1) for month in range(1, 13)]
    now = month_index(today)
    return [month_of(index) for index in range(now - 11, now + 1)]


def reported(selection: KpiSelection, month: dt.date) -> bool:
    """Is `month` one the selection is reported in (every month, or quarter ends)?"""
    return selection.frequency == KpiSelection.Frequency.MONTHLY or month.month in QUARTER_MONTHS


def expected(selection: KpiSelection, month: dt.date, today: dt.date) -> bool:
    """A value the firm owes: a reporting month from the month of the selection up to
    the last month that is over (the registry's `kpi_reporting_pct` counts the same)."""
    return reported(selection, month) and month_index(selection.selected_on) <= month_index(
        month
    ) < month_index(today)


# --- the outlier rule ----------------------------------------------------------------


def outlier(value: Decimal, previous: Sequence[Decimal]) -> bool:
    """Is `value` far outside the firm's earlier values of the KPI (OUTLIER_HELP)?

    With 4 or more earlier values: outside [Q1 − 3·IQR, Q3 + 3·IQR], the quartiles
    by the inclusive method (`statistics.quantiles`). Robust to a single odd month,
    3·IQR is Tukey's "far out" fence. With 1 to 3 values, or when the quartiles are
    equal (a constant series, IQR 0: any change would be "far"), more than 10 times
    or less than 0.1 times their median; a median of 0 or less says nothing.
    No earlier value: no warning.
    """
    if not previous:
        return False
    if len(previous) >= 4:
        q1, _median, q3 = statistics.quantiles(previous, n=4, method="inclusive")
        iqr = q3 - q1
        if iqr > 0:
            return value < q1 - 3 * iqr or value > q3 + 3 * iqr
    median = statistics.median(previous)
    if median <= 0:
        return False
    return value > 10 * median or value < median / 10


# --- the grid ------------------------------------------------------------------------

NUMBER = forms.DecimalField(
    localize=True,
    max_digits=20,
    decimal_places=6,
    error_messages={"invalid": gettext_lazy("Not a number: type digits only.")},
)


def shown(value: Decimal | None) -> str:
    """A stored number as typed in the page language: no trailing zeros, no grouping."""
    if value is None:
        return ""
    return formats.number_format(_plain(value), use_l10n=True)


def _plain(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def readable(value: Any) -> str:
    """A stored number to read, in the page language: grouped, no trailing zeros."""
    if value in (None, ""):
        return ""
    return formats.number_format(_plain(Decimal(value)), use_l10n=True, force_grouping=True)


def parse(raw: str) -> Decimal:
    """A typed number; a ValidationError says why it is not one we keep."""
    number = NUMBER.clean(raw)
    if number < 0:
        raise ValidationError(_("A KPI value cannot be negative."))
    return number


@dataclass
class Cell:
    selection: KpiSelection
    month: dt.date
    observation: KpiObservation | None
    open: bool  # takes a value (a reporting month, not in the future)
    expected: bool  # owed: marked missing while empty
    ratio: bool  # typed as numerator and denominator
    typed: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warning: bool = False

    def name(self, part: str) -> str:
        return f"{part}-{self.selection.pk}-{self.month:%Y-%m}"

    @property
    def id(self) -> str:
        return self.name("cell")

    # The inputs' names, for the template.
    v_name = property(lambda self: self.name("v"))
    n_name = property(lambda self: self.name("n"))
    d_name = property(lambda self: self.name("d"))
    version_name = property(lambda self: self.name("version"))

    @property
    def missing(self) -> bool:
        return self.expected and self.observation is None

    @property
    def version(self) -> str:
        return version_of(self.observation) if self.observation is not None else ""

    def stored(self) -> dict[str, str]:
        obs = self.observation
        if obs is None:
            return {"v": "", "n": "", "d": ""}
        return {"v": shown(obs.value), "n": shown(obs.numerator), "d": shown(obs.denominator)}

    def parts(self) -> tuple[str, ...]:
        return ("n", "d") if self.ratio else ("v",)

    def value_of(self, part: str) -> str:
        return self.typed.get(part, self.stored()[part])

    @property
    def v(self) -> str:
        return self.value_of("v")

    @property
    def n(self) -> str:
        return self.value_of("n")

    @property
    def d(self) -> str:
        return self.value_of("d")

    @property
    def label(self) -> str:
        month = formats.date_format(self.month, "YEAR_MONTH_FORMAT")
        return f"{self.selection.kpi.localized_name()}, {month}"


@dataclass
class Row:
    selection: KpiSelection
    cells: list[Cell]

    @property
    def missing(self) -> int:
        return sum(cell.missing for cell in self.cells)


class KpiGrid:
    """An enterprise's selected KPIs × the months of a window, typed as one form."""

    def __init__(
        self,
        *,
        user: Any,
        enterprise: Any,
        selections: Iterable[KpiSelection],
        months: list[dt.date],
        history: Mapping[Any, list[KpiObservation]],
        today: dt.date,
    ) -> None:
        """`history`: per KPI id, the firm's observations up to the window's end, by month."""
        self.user, self.enterprise, self.months = user, enterprise, months
        self.history = history
        found = {(o.kpi_id, o.month): o for series in history.values() for o in series}
        self.rows = [
            Row(s, [self._cell(s, month, found.get((s.kpi_id, month)), today) for month in months])
            for s in selections
        ]
        self.forms: list[tuple[Cell, KpiObservationForm]] = []
        self.removed: list[Cell] = []
        self.error = ""
        self.flag_outliers()

    @staticmethod
    def _cell(s: KpiSelection, month: dt.date, obs: Any, today: dt.date) -> Cell:
        ratio = bool(s.kpi.numerator and s.kpi.denominator) and (
            obs is None or (obs.numerator is not None and obs.denominator is not None)
        )
        is_open = reported(s, month) and month_index(month) <= month_index(today)
        return Cell(s, month, obs, is_open, expected(s, month, today), ratio)

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row.cells]

    @property
    def missing_per_month(self) -> list[int]:
        return [sum(row.cells[i].missing for row in self.rows) for i in range(len(self.months))]

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.rows)

    @property
    def invalid(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.errors]

    def flag_outliers(self) -> None:
        for cell in self.cells:
            if cell.observation is None:
                continue
            series = self.history.get(cell.selection.kpi_id, [])
            before = [o.value for o in series if o.month < cell.month]
            cell.warning = outlier(cell.observation.value, before)

    # --- reading what was typed ---

    def bind(self, data: Mapping[str, str]) -> bool:
        """Read every open cell; True when all are valid. The changed cells get a
        record form (created or updated), the emptied ones are to be removed."""
        for cell in self.cells:
            # A cell not posted at all is left alone (an emptied one is posted empty).
            if not cell.open or not any(cell.name(part) in data for part in cell.parts()):
                continue
            cell.typed = {part: data.get(cell.name(part), "").strip() for part in cell.parts()}
            self._bind_cell(cell, data.get(cell.name("version"), ""))
        return not self.invalid

    def _bind_cell(self, cell: Cell, version: str) -> None:
        try:
            new = self._numbers(cell)
        except ValidationError as exc:
            cell.errors.extend(exc.messages)
            return
        if new == self._old(cell):
            return
        if new is None:
            self.removed.append(cell)
            return
        value, numerator, denominator = ("", *new) if cell.ratio else (new[0], "", "")
        data = {
            "month": cell.month.isoformat(),
            "value": str(value),
            "numerator": str(numerator),
            "denominator": str(denominator),
            "version": version,
        }
        instance = cell.observation or KpiObservation(
            enterprise=self.enterprise, kpi=cell.selection.kpi
        )
        form = KpiObservationForm(data, instance=instance, user=self.user)
        if form.is_valid():
            self.forms.append((cell, form))
        else:
            cell.errors.extend(message for messages in form.errors.values() for message in messages)

    def _numbers(self, cell: Cell) -> tuple[Decimal, ...] | None:
        """The cell's numbers as typed (None: emptied); a ValidationError says what is wrong."""
        if not cell.ratio:
            return (parse(cell.typed["v"]),) if cell.typed["v"] else None
        numerator, denominator = cell.typed["n"], cell.typed["d"]
        if not numerator and not denominator:
            return None
        if not numerator or not denominator:
            raise ValidationError(_("Give both the numerator and the denominator, or neither."))
        parts = (parse(numerator), parse(denominator))
        if parts[1] == 0:
            raise ValidationError(_("The denominator cannot be 0."))
        return parts

    @staticmethod
    def _old(cell: Cell) -> tuple[Decimal, ...] | None:
        obs = cell.observation
        if obs is None:
            return None
        return (obs.numerator, obs.denominator) if cell.ratio else (obs.value,)

    @property
    def changed(self) -> bool:
        return bool(self.forms or self.removed)

    # --- saving ---

    def save(self) -> bool:
        """Every changed cell saved and every emptied one removed, or nothing at all."""
        for cell in self.removed:
            crud.require_write(self.user, cell.observation)  # type: ignore[arg-type]
        try:
            with transaction.atomic():
                for _cell, form in self.forms:
                    form.save()
                for cell in self.removed:
                    crud.deletion().delete(self.user, cell.observation, False)  # type: ignore[arg-type]
        except StaleVersion:
            self.error = str(STALE)
        except IntegrityError:
            self.error = str(crud.CONFLICT)
        except crud.DeletionRefused as exc:
            self.error = str(exc)
        except ValidationError as exc:
            self.error = " ".join(exc.messages)
        return not self.error
