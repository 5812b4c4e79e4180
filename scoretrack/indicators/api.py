"""`/api/v1/indicators`: the registry's catalogue and figures."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema

from scoretrack.indicators.registry import Request, evaluate, indicators
from scoretrack.lib.api_query import parameter_problems
from scoretrack.lib.api_types import JsonDate

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    by: list[str]


class ValuesOut(Schema):
    filters: dict[str, Any]
    values: dict[str, Any]
    hidden: dict[str, Any]
    targets: dict[str, Any]


# The query parameters of /values (`code` repeats): any other is a 400 naming it.
VALUES_PARAMETERS = (
    "code",
    "country",
    "partner",
    "sector",
    "lead_buyer",
    "phase",
    "year",
    "half",
    "quarter",
    "from",
    "to",
    "by",
    "approved_only",
)


def _refuse_unknown_parameters(request: HttpRequest, known: tuple[str, ...]) -> None:
    problems = parameter_problems(request.GET, known, noun="parameter", repeatable={"code"})
    if problems:
        raise ValidationError({p["field"]: [p["message"]] for p in problems})


@router.get("", response=list[IndicatorOut], summary="The indicators of the registry")
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    """Every indicator: code, name, definition in words, unit and the `by` it takes."""
    _refuse_unknown_parameters(request, ())
    return [item.as_dict() for item in indicators()]


@router.get("/values", response=ValuesOut, summary="Figures of indicators for filters")
def indicator_values(
    request: HttpRequest,
    code: Annotated[list[str], Query(description="Indicator code; repeat for several")],
    country: Annotated[str | None, Query(description="ISO 3166 code")] = None,
    partner: Annotated[str | None, Query(description="Key of the delivery organiser")] = None,
    sector: Annotated[str | None, Query(description="Sector name")] = None,
    lead_buyer: Annotated[str | None, Query(description="Key of a lead buyer")] = None,
    phase: Annotated[str | None, Query(description="Phase name (I, II, ...)")] = None,
    year: Annotated[int | None, Query(description="Calendar year")] = None,
    half: Annotated[
        int | None, Query(description="1 (January-June) or 2 (July-December) of `year`")
    ] = None,
    quarter: Annotated[int | None, Query(description="Calendar quarter 1-4 of `year`")] = None,
    date_from: Annotated[
        JsonDate | None,
        Query(alias="from", description="First day (not for lead buyers and viewers)"),
    ] = None,
    date_to: Annotated[
        JsonDate | None,
        Query(alias="to", description="Last day (not for lead buyers and viewers)"),
    ] = None,
    by: Annotated[str | None, Query(description="One disaggregation")] = None,
    approved_only: Annotated[
        bool,
        Query(description="true: only records dated in periods approved for their country"),
    ] = False,
) -> dict[str, Any]:
    """Figures of the indicators for the filters, within the caller's scope.

    Without `by` each value is a number; with `by` an object keyed by the workbook's
    codes (module, practice, KPI, country codes; `female`/`male`; years as strings;
    `(none)` for records with no value). Percentages are 0-100, unrounded; a share
    with an empty denominator is null. `targets` holds the targets set for exactly
    these country / phase / year filters (none for a half or quarter).

    The period is at most one of: `phase`; `year`, alone or with `half` (1: January
    to June, 2: July to December) or `quarter` (1 to 4, calendar quarters); `from`
    and/or `to` dates. Lead buyers and viewers, who see figures but no record, ask
    for a fixed period only (phase, year, half or quarter): `from`/`to` is a 400 for
    them, since two date ranges a day apart would single out the firms of that day.
    For lead buyers and viewers a figure about firms or persons that rests on too
    few of them is hidden: its value is null and `hidden` says why, per code (a
    hidden total: `{"reason", "who", "label"}`) or per code and group.
    With `approved_only=true` the figures count only the records dated in a period
    approved for their country (data approval, /quality/approvals/); `filters` then
    says `"approved_only": true`. Records that are not dated (firms, trainers) all count.
    Each parameter but `code` is given once. Any unknown parameter, code, filter
    value or `by` is a 400 naming it.
    """
    _refuse_unknown_parameters(request, VALUES_PARAMETERS)
    wanted = Request(
        codes=code,
        country=country,
        partner=partner,
        sector=sector,
        lead_buyer=lead_buyer,
        phase=phase,
        year=year,
        half=half,
        quarter=quarter,
        date_from=date_from,
        date_to=date_to,
        by=by,
        approved_only=approved_only,
    )
    return evaluate(request.user, wanted)
