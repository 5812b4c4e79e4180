"""Each role's home: the figures it is responsible for, drawn, and what needs doing.

The figures are the indicator registry's (`reports.figures.Figures`: the user's own
aggregate scope, disclosure control for lead buyers and viewers); the lists are
records read through `visible_to`. A user holding several roles gets the home of
the widest one (`ROLE_ORDER`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoretrack.accounts.scoping import access_for
from scoretrack.collect.models import Submission
from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.models import ImportJob
from scoretrack.lib.charts import Chart, Series, number
from scoretrack.outcomes.models import Assessment, Initiative, KpiObservation, KpiSelection
from scoretrack.quality.models import Approval
from scoretrack.reference.models import CountryProgramme
from scoretrack.reports.figures import Figures, as_dict, told
from scoretrack.trainers.models import Trainer
from scoretrack.trainers.queries import with_status
from scoretrack.training.models import ConsultingVisit, Delivery

ROLE_ORDER = (
    "global_admin",
    "country_team",
    "partner",
    "trainer",
    "enterprise",
    "lead_buyer",
    "viewer",
)
LIMIT = 10  # items a home lists of each kind; the full list is a link away
ASSESS_EVERY_MONTHS = 6  # a progress assessment is due this long after the last one
VISIT_EVERY_DAYS = 30  # a firm in consulting is visited about monthly
KPI_MONTHS = 12  # months of an enterprise's own KPI chart


@dataclass
class Tile:
    """One figure of the registry, as the home shows it."""

    label: str
    value: Any
    code: str
    unit: str = ""
    extra: str = ""

    @property
    def text(self) -> str:
        return _told(self.value, self.unit)


def _told(value: Any, unit: str) -> str:
    """A figure as text: with its currency when it is money, or why it is hidden."""
    shown = told(value, unit)
    if unit not in ("", "%") and number(value) is not None:
        return f"{shown} {unit}"
    return shown


@dataclass
class Item:
    text: str
    url: str = ""
    note: str = ""
    # A certification step this user may take from the queue: "recommend" or "approve".
    step: str = ""
    trainer: Any = None


@dataclass
class Todo:
    slug: str
    title: str
    items: list[Item]
    more: str = ""  # the page listing them all, when there are more than LIMIT
    empty: str = ""
    action: str = ""  # a link to the page where the work is done
    action_label: str = ""

    def __post_init__(self) -> None:
        self.empty = self.empty or _("Nothing to do.")


@dataclass
class Home:
    role: str
    title: str
    intro: str = ""
    tiles: list[Tile] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    table: Any = None  # the enterprise's KPIs against baseline and target
    protected: bool = False  # figures under disclosure control


def main_role(user: Any) -> str:
    roles = access_for(user).roles
    return next((role for role in ROLE_ORDER if role in roles), "")


def home_for(user: Any) -> Home:
    role = main_role(user)
    builder = BUILDERS.get(role)
    if builder is None:
        return Home(role="", title=_("Welcome"), intro=_("You have no role yet: ask HQ for one."))
    return builder(user)


# --- shared pieces --------------------------------------------------------------------


def _figures(user: Any, country: str | None = None) -> Figures:
    return Figures.for_request(user, country=country, phase=None, year=None)


def _tiles(fig: Figures, wanted: Sequence[tuple[str, str, str]]) -> list[Tile]:
    return [Tile(label, fig.get(code), code, unit) for code, label, unit in wanted]


def _by_year_chart(fig: Figures, code: str, title: str, slug: str) -> Chart:
    found = as_dict(fig.get(code, by="year"))
    years = sorted(found)
    return Chart(
        title=title,
        categories=years,
        series=[Series(title, [found[year] for year in years])],
        slug=slug,
    )


def _first(items: QuerySet, build: Callable[[Any], Item]) -> tuple[list[Item], bool]:
    """The first LIMIT items and whether there are more (one query, no count)."""
    rows = list(items[: LIMIT + 1])
    return [build(row) for row in rows[:LIMIT]], len(rows) > LIMIT


def _todo(slug: str, title: str, items: QuerySet, build: Callable, more: str, **kw: Any) -> Todo:
    shown, more_exist = _first(items, build)
    return Todo(slug, title, shown, more=more if more_exist else "", **kw)


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _month(value: dt.date) -> str:
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def _months_back(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _enterprise(firm: Enterprise) -> str:
    return reverse("enterprises:enterprise-detail", args=[firm.pk])


def _certification_queue(user: Any, status: str, slug: str, title: str, step: str) -> Todo:
    trainers = (
        with_status(Trainer.objects.visible_to(user).select_related("country"))
        .filter(status_code=status)
        .order_by("name")
    )
    access = access_for(user)
    if step == "recommend" and not access.is_global:
        trainers = trainers.filter(country_id__in=access.countries)

    def item(trainer: Trainer) -> Item:
        url = reverse("trainers:trainer-detail", args=[trainer.pk])
        return Item(str(trainer), url, trainer.country.name, step=step, trainer=trainer)

    return _todo(
        slug, title, trainers, item, reverse("trainers:trainer-list") + f"?status={status}"
    )


# --- trainer --------------------------------------------------------------------------


def _trainer_home(user: Any) -> Home:
    fig = _figures(user)
    firms = Enterprise.objects.visible_to(user).select_related("country")
    tiles = _tiles(
        fig,
        [
            ("smes_trained", _("SMEs trained"), ""),
            ("staff_trained", _("Staff trained in the classroom"), ""),
            ("practice_newly_implemented_pct", _("Practices newly implemented"), "%"),
            ("kpi_improved_pct", _("Enterprises improving a KPI"), "%"),
        ],
    )
    mine = _todo(
        "my-enterprises",
        _("My enterprises"),
        firms.order_by("name"),
        lambda firm: Item(firm.name, _enterprise(firm), firm.country.name),
        reverse("enterprises:enterprise-list"),
        empty=_("No enterprise is assigned to you yet."),
    )
    return Home(
        role="trainer",
        title=_("My work"),
        intro=_next_visit(user, firms),
        tiles=tiles,
        charts=[_by_year_chart(fig, "smes_trained", _("SMEs trained per year"), "smes-per-year")],
        todos=[mine, _assessments_to_do(user, firms), _kpi_months_missing(user)],
    )


def _next_visit(user: Any, firms: QuerySet) -> str:
    """Which firm is due for a visit first: never visited, else the longest ago."""
    trainers = access_for(user).trainers
    last = (
        ConsultingVisit.objects.visible_to(user)
        .filter(enterprise=OuterRef("pk"), trainer_id__in=trainers)
        .order_by("-date")
        .values("date")[:1]
    )
    firm = (
        firms.annotate(last_visit=Subquery(last))
        .order_by(F("last_visit").asc(nulls_first=True), "name")
        .first()
    )
    if firm is None:
        return ""
    if firm.last_visit is None:
        return _("Next visit due: %(firm)s (never visited)") % {"firm": firm.name}
    due = firm.last_visit + dt.timedelta(days=VISIT_EVERY_DAYS)
    return _("Next visit due: %(firm)s on %(date)s (last visited on %(last)s)") % {
        "firm": firm.name,
        "date": _iso(due),
        "last": _iso(firm.last_visit),
    }


def _assessments_to_do(user: Any, firms: QuerySet) -> Todo:
    """Firms without a baseline, or whose last assessment is ASSESS_EVERY_MONTHS old."""
    assessments = Assessment.objects.visible_to(user).filter(enterprise=OuterRef("pk"))
    since = _months_back(dt.date.today(), ASSESS_EVERY_MONTHS)
    due = (
        firms.annotate(
            has_baseline=Exists(assessments.filter(kind=Assessment.Kind.BASELINE)),
            last_assessed=Subquery(assessments.order_by("-date").values("date")[:1]),
        )
        .filter(Q(has_baseline=False) | Q(last_assessed__lt=since))
        .order_by(F("last_assessed").asc(nulls_first=True), "name")
    )

    def item(firm: Enterprise) -> Item:
        url = reverse("outcomes:assessment-create", args=[firm.pk])
        if not firm.has_baseline:
            return Item(_("%(firm)s: no baseline assessment yet") % {"firm": firm.name}, url)
        return Item(
            _("%(firm)s: last assessed on %(date)s")
            % {"firm": firm.name, "date": _iso(firm.last_assessed)},
            url,
        )

    return _todo("assessments", _("Assessments to do"), due, item, "")


def _kpi_months_missing(user: Any) -> Todo:
    """Selected KPIs whose latest value is older than their reporting period."""
    latest = (
        KpiObservation.objects.visible_to(user)
        .filter(enterprise=OuterRef("enterprise_id"), kpi=OuterRef("kpi_id"))
        .order_by("-month")
        .values("month")[:1]
    )
    today = dt.date.today()
    monthly, quarterly = _months_back(today, 1), _months_back(today, 3)
    late = (
        KpiSelection.objects.visible_to(user)
        .select_related("enterprise", "kpi")
        .annotate(latest=Subquery(latest))
        .filter(
            Q(latest__isnull=True)
            | Q(frequency=KpiSelection.Frequency.MONTHLY, latest__lt=monthly)
            | Q(frequency=KpiSelection.Frequency.QUARTERLY, latest__lt=quarterly)
        )
        .order_by("enterprise__name", "kpi__code")
    )

    def item(selection: KpiSelection) -> Item:
        firm = selection.enterprise
        since = (
            _months_back(selection.latest, -1)
            if selection.latest
            else selection.selected_on.replace(day=1)
        )
        return Item(
            _("%(firm)s: %(kpi)s, no value since %(month)s")
            % {"firm": firm.name, "kpi": selection.kpi.localized_name(), "month": _month(since)},
            reverse("kpis:grid", args=[firm.pk]),
        )

    return _todo("kpi-months", _("KPI months missing"), late, item, "")


# --- enterprise -----------------------------------------------------------------------


@dataclass
class KpiRow:
    selection: KpiSelection
    latest: KpiObservation | None


def _enterprise_home(user: Any) -> Home:
    firm = Enterprise.objects.visible_to(user).filter(pk__in=access_for(user).enterprises).first()
    fig = _figures(user)
    tiles = _tiles(
        fig,
        [
            ("practice_in_place_before_pct", _("Practices in place before the training"), "%"),
            ("practice_newly_implemented_pct", _("Practices newly implemented"), "%"),
            ("gender_initiatives_per_plan", _("Gender-related initiatives in the plan"), ""),
            ("staff_trained", _("Staff trained in the classroom"), ""),
        ],
    )
    home = Home(role="enterprise", title=firm.name if firm else _("My enterprise"), tiles=tiles)
    if firm is None:
        return home
    initiatives = (
        Initiative.objects.visible_to(user).filter(enterprise=firm).order_by("-started_on")
    )
    plan = _todo(
        "plan",
        _("My improvement plan"),
        initiatives.select_related("module"),
        lambda i: Item(i.title, _enterprise(firm), i.get_status_display()),
        _enterprise(firm),
        empty=_("No initiative yet."),
        action=reverse("outcomes:initiative-create", args=[firm.pk]),
        action_label=_("Add an initiative"),
    )
    rows, charts = _kpis_of(user, firm)
    home.table = rows
    home.charts = charts
    home.todos = [plan]
    home.links.append((reverse("kpis:grid", args=[firm.pk]), _("Enter this month's KPIs")))
    home.links.append((_enterprise(firm), _("My enterprise's page")))
    return home


def _kpis_of(user: Any, firm: Enterprise) -> tuple[list[KpiRow], list[Chart]]:
    selections = list(
        KpiSelection.objects.visible_to(user).filter(enterprise=firm).select_related("kpi")
    )
    since = _months_back(dt.date.today(), KPI_MONTHS)
    observations = (
        KpiObservation.objects.visible_to(user)
        .filter(enterprise=firm, kpi__in=[s.kpi_id for s in selections])
        .order_by("kpi_id", "month")
    )
    series: dict[Any, list[KpiObservation]] = {}
    for observation in observations:  # laying the firm's own values out, not counting
        series.setdefault(observation.kpi_id, []).append(observation)
    rows, charts = [], []
    for selection in selections:
        values = series.get(selection.kpi_id, [])
        rows.append(KpiRow(selection, values[-1] if values else None))
        recent = [o for o in values if o.month >= since] or values[-KPI_MONTHS:]
        name = selection.kpi.localized_name()
        charts.append(
            Chart(
                title=name,
                categories=[_month(o.month) for o in recent],
                series=[Series(name, [o.value for o in recent])],
                unit=selection.kpi.unit,
                line=True,
                baseline=float(selection.baseline) if selection.baseline is not None else None,
                baseline_label=_("Baseline"),
                slug=f"kpi-{selection.kpi.code}",
            )
        )
    return rows, charts


# --- partner --------------------------------------------------------------------------


def _partner_home(user: Any) -> Home:
    fig = _figures(user)
    tiles = _tiles(
        fig,
        [
            ("deliveries", _("Deliveries"), ""),
            ("enrolments", _("Enrolments"), ""),
            ("smes_trained", _("SMEs trained"), ""),
            ("staff_trained", _("Staff trained in the classroom"), ""),
            ("direct_costs_usd", _("Direct training costs"), "USD"),
            ("contributions_usd", _("Contributions"), "USD"),
        ],
    )
    fees = as_dict(fig.get("contributions_usd", by="source")).get("sme_fee", 0)
    tiles[-1].extra = _("of which SME fees: %(fees)s") % {"fees": _told(fees, "USD")}
    deliveries = Delivery.objects.visible_to(user).select_related("module").order_by("-start_date")
    mine = _todo(
        "my-deliveries",
        _("My deliveries"),
        deliveries,
        lambda d: Item(
            f"{d.key} · {d.module.localized_name()}",
            reverse("training:delivery-detail", args=[d.pk]),
            _iso(d.start_date),
        ),
        reverse("training:delivery-list"),
        empty=_("No delivery yet."),
        action=reverse("training:delivery-create"),
        action_label=_("New delivery"),
    )
    return Home(
        role="partner",
        title=_("My deliveries and money"),
        tiles=tiles,
        charts=[_by_year_chart(fig, "smes_trained", _("SMEs trained per year"), "smes-per-year")],
        todos=[mine],
        links=[
            (reverse("finance:cost-list"), _("Costs")),
            (reverse("finance:contribution-list"), _("Contributions")),
        ],
    )


# --- country team and HQ --------------------------------------------------------------


def _dashboard(fig: Figures) -> list[Tile]:
    """A programme's or a country's headline figures."""
    return _tiles(
        fig,
        [
            ("smes_trained", _("SMEs trained"), ""),
            ("staff_trained", _("Staff trained in the classroom"), ""),
            ("trainers_certified", _("Certified trainers"), ""),
            ("cost_recovery_pct", _("Cost recovery"), "%"),
            ("satisfaction_good_pct", _("Satisfaction rate"), "%"),
        ],
    )


def _country_home(user: Any) -> Home:
    countries = CountryProgramme.objects.visible_to(user).filter(pk__in=access_for(user).countries)
    codes = list(countries.order_by("code").values_list("code", flat=True))
    fig = _figures(user, codes[0] if len(codes) == 1 else None)
    return Home(
        role="country_team",
        title=_("Country programme"),
        tiles=_dashboard(fig),
        charts=[_by_year_chart(fig, "smes_trained", _("SMEs trained per year"), "smes-per-year")],
        todos=[
            _certification_queue(
                user,
                "trained",
                "to-recommend",
                _("Certifications to recommend"),
                "recommend",
            ),
            _periods_to_approve(user),
            _missing_data(user),
            _failed_imports(user),
            _submissions_to_review(user),
        ],
        links=[(reverse("reports:country", args=[code]), _("Country profile")) for code in codes],
    )


def _missing_data(user: Any) -> Todo:
    """Firms of the country lacking what its figures need: sector, workforce, baseline."""
    access = access_for(user)
    baseline = Assessment.objects.visible_to(user).filter(
        enterprise=OuterRef("pk"), kind=Assessment.Kind.BASELINE
    )
    firms = (
        Enterprise.objects.visible_to(user)
        .filter(country_id__in=access.countries)
        .annotate(has_baseline=Exists(baseline))
        .filter(
            Q(sector__isnull=True)
            | Q(workforce_female__isnull=True)
            | Q(workforce_male__isnull=True)
            | Q(has_baseline=False)
        )
        .order_by("name")
    )

    def item(firm: Enterprise) -> Item:
        missing = []
        if firm.sector_id is None:
            missing.append(_("no sector"))
        if firm.workforce_female is None or firm.workforce_male is None:
            missing.append(_("no workforce by sex"))
        if not firm.has_baseline:
            missing.append(_("no baseline assessment"))
        return Item(firm.name, _enterprise(firm), ", ".join(missing))

    return _todo(
        "missing-data",
        _("Enterprises with missing data"),
        firms,
        item,
        reverse("enterprises:enterprise-list"),
    )


def _periods_to_approve(user: Any) -> Todo:
    """Periods submitted as ready that this user may approve (scoretrack.quality)."""
    access = access_for(user)
    ready = Approval.objects.visible_to(user).filter(state=Approval.State.SUBMITTED)
    if not access.is_global:
        ready = ready.filter(country_id__in=access.countries)
    ready = ready.select_related("country").order_by("start", "country__name")
    return _todo(
        "periods-to-approve",
        _("Periods to approve"),
        ready,
        lambda a: Item(
            str(a),
            reverse("quality:approval", args=[a.country.code, a.period]),
            _("ready since %(date)s") % {"date": _date(a.submitted_at.date())}
            if a.submitted_at
            else "",
        ),
        reverse("quality:approvals"),
        action=reverse("quality:violations"),
        action_label=_("Data-quality violations"),
    )


def _failed_imports(user: Any) -> Todo:
    # Import jobs are the uploader's own working state (exchange/models.py).
    jobs = ImportJob.objects.filter(user=user, state=ImportJob.State.FAILED).order_by("-created_at")
    return _todo(
        "failed-imports",
        _("Failed imports"),
        jobs,
        lambda job: Item(
            job.file_name,
            reverse("exchange:import-job", args=[job.pk]),
            job.error.splitlines()[0] if job.error else "",
        ),
        "",
    )


def _submissions_to_review(user: Any) -> Todo:
    """Field submissions a form could not accept, waiting in the review queue."""
    waiting = Submission.objects.visible_to(user).filter(state=Submission.State.HAS_ISSUES)
    count = waiting.count()
    todo = _todo(
        "submissions-to-review",
        ngettext("%(count)s submission to review", "%(count)s submissions to review", count)
        % {"count": formats.number_format(count, force_grouping=True)},
        waiting.select_related("user").order_by("-received_at"),
        lambda s: Item(
            f"{s.form_id} · {s.user.email if s.user else ''}",
            reverse("collect:review-detail", args=[s.pk]),
            s.reason_shown,
        ),
        reverse("collect:review") + "?state=has_issues",
    )
    return todo


def _hq_home(user: Any) -> Home:
    fig = _figures(user)
    found = as_dict(fig.get("smes_trained", by="country"))
    countries = sorted(found)
    chart = Chart(
        title=_("SMEs trained per country"),
        categories=countries,
        series=[Series(_("SMEs trained"), [found[c] for c in countries])],
        slug="smes-per-country",
    )
    links = [(reverse("reports:programme"), _("Programme report"))]
    links.append((reverse("catalogues:index"), _("Catalogues")))
    links.append((reverse("deleted"), _("Deleted records")))
    return Home(
        role="global_admin",
        title=_("Programme dashboard"),
        tiles=_dashboard(fig),
        charts=[chart, _by_year_chart(fig, "smes_trained", _("SMEs trained per year"), "per-year")],
        todos=[
            _certification_queue(
                user, "recommended", "to-approve", _("Certifications to approve"), "approve"
            ),
            _certification_queue(
                user, "trained", "to-recommend", _("Certifications to recommend"), "recommend"
            ),
            _periods_to_approve(user),
            _failed_imports(user),
            _submissions_to_review(user),
        ],
        links=links,
    )


# --- aggregates only: lead buyer, donor / viewer --------------------------------------


def _lead_buyer_home(user: Any) -> Home:
    fig = _figures(user)
    tiles = _tiles(
        fig,
        [
            ("smes_trained", _("Suppliers trained"), ""),
            ("staff_trained", _("Supplier staff trained"), ""),
            ("staff_trained_women_pct", _("Women among the staff trained"), "%"),
            ("practice_newly_implemented_pct", _("Practices newly implemented"), "%"),
            ("kpi_improved_pct", _("Suppliers improving a KPI"), "%"),
        ],
    )
    return Home(
        role="lead_buyer",
        title=_("Your supplier base"),
        intro=_("Figures about your suppliers taken together; never about one firm or person."),
        tiles=tiles,
        charts=[_by_year_chart(fig, "smes_trained", _("Suppliers trained per year"), "per-year")],
        links=[(reverse("reports:programme"), _("Reports"))],
        protected=True,
    )


def _viewer_home(user: Any) -> Home:
    fig = _figures(user)
    links = [(reverse("reports:programme"), _("Programme report"))]
    for code, name in CountryProgramme.objects.visible_to(user).values_list("code", "name"):
        links.append(
            (
                reverse("reports:country", args=[code]),
                _("Country profile: %(name)s") % {"name": name},
            )
        )
    return Home(
        role="viewer",
        title=_("Reports"),
        tiles=_dashboard(fig),
        charts=[_by_year_chart(fig, "smes_trained", _("SMEs trained per year"), "per-year")],
        links=links,
        protected=True,
    )


BUILDERS: dict[str, Callable[[Any], Home]] = {
    "global_admin": _hq_home,
    "country_team": _country_home,
    "partner": _partner_home,
    "trainer": _trainer_home,
    "enterprise": _enterprise_home,
    "lead_buyer": _lead_buyer_home,
    "viewer": _viewer_home,
}
