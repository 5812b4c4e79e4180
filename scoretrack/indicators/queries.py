"""The rows each indicator counts, narrowed by the request's place and time filters.

Every function starts from `ctx.source(Model)`, the user's aggregate scope.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from scoretrack.enterprises.models import LeadBuyerLink
from scoretrack.events.models import Event, EventParticipation
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.indicators.registry import Context
from scoretrack.indicators.series import dated
from scoretrack.lib import derived
from scoretrack.outcomes.models import Initiative, KpiObservation, PracticeAnswer
from scoretrack.reference.models import Agreement
from scoretrack.trainers.models import Milestone
from scoretrack.training.derived import ATTENDANCE
from scoretrack.training.models import Attendance, Delivery, Enrolment, Participant


def enterprise_place(ctx: Context, path: str) -> Q:
    """Enterprises (at `path`) in the country and sector, trained by the partner and
    supplying the lead buyer that the request names."""
    f = ctx.filters
    q = Q()
    if f.country_id is not None:
        q &= Q(**{f"{path}__country_id": f.country_id})
    if f.sector_id is not None:
        q &= Q(**{f"{path}__sector_id": f.sector_id})
    if f.lead_buyer_ids:
        links = ctx.source(LeadBuyerLink).filter(lead_buyer_id__in=f.lead_buyer_ids)
        q &= Q(**{f"{path}__in": links.values("enterprise_id")})
    if f.partner_ids:
        trained = ctx.source(Participant).filter(delivery__organiser_id__in=f.partner_ids)
        q &= Q(**{f"{path}__in": trained.values("enterprise_id")})
    return q


def participations(ctx: Context, *, period: bool = True) -> QuerySet:
    """Classroom participations: in deliveries of the country and partner, of
    enterprises of the sector and lead buyer, starting in the period."""
    return _trained(ctx, ctx.source(Participant), "delivery__", period)


def enrolments(ctx: Context) -> QuerySet:
    """Enterprises' enrolments in deliveries of the country and partner starting in
    the period, of enterprises of the sector and lead buyer (whatever their status)."""
    return _trained(ctx, ctx.source(Enrolment), "delivery__", True)


def attendances(ctx: Context, *, period: bool = True) -> QuerySet:
    """The SMEs' attendances: one row per (enterprise, delivery) with participants,
    under the same filters as `participations` (the same rows, one per enterprise
    and delivery). For figures counting SMEs; read from the derived rows
    (training/derived.py), brought up to date first."""
    derived.refresh(ATTENDANCE)
    return _trained(ctx, ctx.source(Attendance), "", period)


def _trained(ctx: Context, rows: QuerySet, delivery: str, period: bool) -> QuerySet:
    """`rows` with an enterprise and the delivery's country, organiser and start
    date (at `delivery`, a path prefix), narrowed by the request's filters."""
    f = ctx.filters
    if f.country_id is not None:
        rows = rows.filter(**{f"{delivery}country_id": f.country_id})
    if f.partner_ids:
        rows = rows.filter(**{f"{delivery}organiser_id__in": f.partner_ids})
    if f.sector_id is not None:
        rows = rows.filter(enterprise__sector_id=f.sector_id)
    if f.lead_buyer_ids:
        links = ctx.source(LeadBuyerLink).filter(lead_buyer_id__in=f.lead_buyer_ids)
        rows = rows.filter(enterprise_id__in=links.values("enterprise_id"))
    if period:
        rows = dated(rows, f, f"{delivery}start_date")
    return rows


def deliveries(ctx: Context) -> QuerySet:
    """Deliveries of the country and partner starting in the period; with a sector or
    lead-buyer filter, those with a participant of such an enterprise."""
    f = ctx.filters
    rows = dated(ctx.source(Delivery), f, "start_date")
    if f.country_id is not None:
        rows = rows.filter(country_id=f.country_id)
    if f.partner_ids:
        rows = rows.filter(organiser_id__in=f.partner_ids)
    if f.sector_id is not None or f.lead_buyer_ids:
        attended = ctx.source(Participant).filter(
            enterprise_place(ctx, "enterprise"), delivery_id=OuterRef("pk")
        )
        rows = rows.filter(Exists(attended))
    return rows


def milestones(ctx: Context, kind: str) -> QuerySet:
    """Trainer milestones of one kind dated in the period, of trainers of the country
    and (partner filter) of the partner organisation."""
    f = ctx.filters
    rows = dated(ctx.source(Milestone), f, "date").filter(milestone=kind)
    if f.country_id is not None:
        rows = rows.filter(trainer__country_id=f.country_id)
    if f.partner_ids:
        rows = rows.filter(trainer__organisation_id__in=f.partner_ids)
    return rows


def agreements(ctx: Context) -> QuerySet:
    f = ctx.filters
    rows = ctx.source(Agreement)
    if f.country_id is not None:
        rows = rows.filter(country_id=f.country_id)
    if f.partner_ids:
        rows = rows.filter(organisation_id__in=f.partner_ids)
    return rows


def costs(ctx: Context) -> QuerySet:
    return _money(ctx, ctx.source(DirectCost))


def contributions(ctx: Context) -> QuerySet:
    rows = _money(ctx, ctx.source(Contribution))
    if ctx.filters.lead_buyer_ids:
        rows = rows.filter(organisation_id__in=ctx.filters.lead_buyer_ids)
    return rows


def _money(ctx: Context, rows: QuerySet) -> QuerySet:
    f = ctx.filters
    rows = dated(rows, f, "date")
    if f.country_id is not None:
        rows = rows.filter(country_id=f.country_id)
    if f.partner_ids:
        rows = rows.filter(delivery__organiser_id__in=f.partner_ids)
    return rows


def practice_answers(ctx: Context) -> QuerySet:
    """Practice answers of the enterprises of the place filters (all dates)."""
    return ctx.source(PracticeAnswer).filter(enterprise_place(ctx, "assessment__enterprise"))


def observations(ctx: Context) -> QuerySet:
    """KPI observations of the enterprises of the place filters (all months)."""
    return ctx.source(KpiObservation).filter(enterprise_place(ctx, "enterprise"))


def initiatives(ctx: Context) -> QuerySet:
    """Initiatives of the enterprises of the place filters; with a time filter, those
    started in the period (an initiative without a start date then falls outside)."""
    f = ctx.filters
    rows = ctx.source(Initiative).filter(enterprise_place(ctx, "enterprise"))
    return dated(rows, f, "started_on")


def event_participations(ctx: Context, kinds: list[str]) -> QuerySet:
    f = ctx.filters
    rows = dated(ctx.source(EventParticipation), f, "event__date").filter(event__kind__in=kinds)
    if f.country_id is not None:
        rows = rows.filter(event__country_id=f.country_id)
    return rows


def events(ctx: Context, kind: str) -> QuerySet:
    f = ctx.filters
    rows = dated(ctx.source(Event), f, "date").filter(kind=kind)
    if f.country_id is not None:
        rows = rows.filter(country_id=f.country_id)
    return rows
