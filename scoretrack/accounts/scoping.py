"""Who may see what: the rules behind the one scoping method `visible_to`.

Every page, API endpoint, export, report and import asks
`Model.objects.visible_to(user)`; that method asks `scope()` here, which reads the
user's role assignments once (cached on the user object) and narrows the queryset
by one rule per model, written in the table `RULES` below. A model missing from
the table is refused outright, so a new model cannot leak by being forgotten.

Two purposes:
- "records": rows a person may read (pages, API, exports, imports). Lead buyers
  and donors/viewers get none: they see aggregates only.
- "aggregates": rows that may be counted into figures (the indicator registry).
  Lead buyers count their suppliers, viewers the whole programme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from django.db.models import Q, QuerySet

Purpose = Literal["records", "aggregates"]
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Access:
    is_global: bool = False
    countries: frozenset[Any] = field(default_factory=frozenset)
    organisations: frozenset[Any] = field(default_factory=frozenset)
    trainers: frozenset[Any] = field(default_factory=frozenset)
    enterprises: frozenset[Any] = field(default_factory=frozenset)
    lead_buyers: frozenset[Any] = field(default_factory=frozenset)
    viewer: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: Any = None
    # Where a partner and an enterprise user may write (create in, or move to): the
    # countries of the partner's organisations (a global one's: where it has an
    # agreement), each organisation with its own country; the enterprise's country.
    partner_countries: frozenset[Any] = field(default_factory=frozenset)
    organisation_countries: frozenset[tuple[Any, Any]] = field(default_factory=frozenset)
    enterprise_countries: frozenset[Any] = field(default_factory=frozenset)

    @property
    def aggregates_only(self) -> bool:
        """True when the user may see figures but no record."""
        return not (
            self.is_global
            or self.countries
            or self.organisations
            or self.trainers
            or self.enterprises
        )

    @property
    def sees_personal_data(self) -> bool:
        return not self.aggregates_only

    def for_purpose(self, purpose: Purpose) -> Access:
        if purpose == "aggregates":
            return self
        return Access(
            is_global=self.is_global,
            countries=self.countries,
            organisations=self.organisations,
            trainers=self.trainers,
            enterprises=self.enterprises,
            roles=self.roles - {"lead_buyer", "viewer"},
            user_id=self.user_id,
            partner_countries=self.partner_countries,
            organisation_countries=self.organisation_countries,
            enterprise_countries=self.enterprise_countries,
        )


def access_for(user: Any) -> Access:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access()
    cached = getattr(user, "_scoretrack_access", None)
    if cached is not None:
        return cached
    access = _load_access(user)
    user._scoretrack_access = access
    return access


def _load_access(user: Any) -> Access:
    from scoretrack.accounts.models import Role, RoleAssignment

    if user.is_superuser:
        return Access(is_global=True, roles=frozenset({"global_admin"}), user_id=user.pk)
    sets: dict[str, set[Any]] = {
        "countries": set(),
        "organisations": set(),
        "trainers": set(),
        "enterprises": set(),
        "lead_buyers": set(),
    }
    is_global = viewer = False
    rows = RoleAssignment.objects.filter(user=user).values_list(
        "role", "country_id", "organisation_id", "trainer_id", "enterprise_id"
    )
    roles = set()
    for role, country, organisation, trainer, enterprise in rows:
        roles.add(role)
        if role == Role.GLOBAL_ADMIN:
            is_global = True
        elif role == Role.COUNTRY_TEAM:
            sets["countries"].add(country)
        elif role == Role.PARTNER:
            sets["organisations"].add(organisation)
        elif role == Role.TRAINER:
            sets["trainers"].add(trainer)
        elif role == Role.ENTERPRISE:
            sets["enterprises"].add(enterprise)
        elif role == Role.LEAD_BUYER:
            sets["lead_buyers"].add(organisation)
        elif role == Role.VIEWER:
            viewer = True
    return Access(
        is_global=is_global,
        viewer=viewer,
        roles=frozenset(roles),
        user_id=user.pk,
        **_write_places(sets["organisations"], sets["enterprises"]),
        **{name: frozenset(values) for name, values in sets.items()},
    )


def _write_places(organisations: set[Any], enterprises: set[Any]) -> dict[str, frozenset]:
    """The countries a partner's and an enterprise user's writes may land in."""
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.reference.models import Agreement, Organisation

    own = (
        set(Organisation.objects.filter(pk__in=organisations).values_list("pk", "country_id"))
        if organisations
        else set()
    )
    countries = {country for _pk, country in own if country is not None}
    global_ones = {pk for pk, country in own if country is None}
    if global_ones:
        countries |= set(
            Agreement.objects.filter(organisation_id__in=global_ones).values_list(
                "country_id", flat=True
            )
        )
    firms = Enterprise.objects.filter(pk__in=enterprises).values_list("country_id", flat=True)
    return {
        "partner_countries": frozenset(countries),
        "organisation_countries": frozenset(own),
        "enterprise_countries": frozenset(firms) if enterprises else frozenset(),
    }


def scope(queryset: QuerySet, user: Any, purpose: Purpose = "records") -> QuerySet:
    access = access_for(user)
    if access.is_global:
        return queryset
    rule = RULES.get(queryset.model._meta.label)
    if rule is None:
        return queryset.none()
    access = access.for_purpose(purpose)
    if access.viewer and purpose == "aggregates":
        return queryset
    # Rules filter by `pk__in` subqueries, never by joins, so no row is repeated.
    return queryset.filter(rule(access))


# --- the sets every rule is built from -------------------------------------------


def enterprise_ids(access: Access) -> QuerySet:
    from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
    from scoretrack.training.models import ConsultingVisit, Enrolment

    q = NOTHING
    if access.countries:
        q |= Q(country_id__in=access.countries)
    if access.enterprises:
        q |= Q(pk__in=access.enterprises)
    if access.organisations:
        # A partner sees the SMEs of its deliveries, and those it registered itself
        # (to enrol them next).
        q |= Q(
            pk__in=Enrolment.objects.filter(delivery__organiser_id__in=access.organisations).values(
                "enterprise_id"
            )
        ) | Q(created_by_id=access.user_id)
    if access.trainers:
        q |= Q(
            pk__in=Enrolment.objects.filter(delivery__trainers__in=access.trainers).values(
                "enterprise_id"
            )
        ) | Q(
            pk__in=ConsultingVisit.objects.filter(trainer_id__in=access.trainers).values(
                "enterprise_id"
            )
        )
    if access.lead_buyers:
        q |= Q(
            pk__in=LeadBuyerLink.objects.filter(lead_buyer_id__in=access.lead_buyers).values(
                "enterprise_id"
            )
        )
    return Enterprise.objects.filter(q).values("pk")


def delivery_ids(access: Access) -> QuerySet:
    from scoretrack.training.models import Delivery, Enrolment

    q = NOTHING
    if access.countries:
        q |= Q(country_id__in=access.countries)
    if access.organisations:
        q |= Q(organiser_id__in=access.organisations)
    if access.trainers:
        q |= Q(
            pk__in=Delivery.trainers.through.objects.filter(trainer_id__in=access.trainers).values(
                "delivery_id"
            )
        )
    if access.enterprises or access.lead_buyers:
        q |= Q(
            pk__in=Enrolment.objects.filter(
                enterprise_id__in=enterprise_ids(
                    Access(enterprises=access.enterprises, lead_buyers=access.lead_buyers)
                )
            ).values("delivery_id")
        )
    return Delivery.objects.filter(q).values("pk")


def trainer_ids(access: Access) -> QuerySet:
    from scoretrack.trainers.models import Trainer
    from scoretrack.training.models import ConsultingVisit, Delivery

    q = NOTHING
    if access.countries:
        q |= Q(country_id__in=access.countries)
    if access.trainers:
        q |= Q(pk__in=access.trainers)
    if access.organisations:
        q |= Q(organisation_id__in=access.organisations) | Q(
            pk__in=Delivery.trainers.through.objects.filter(
                delivery__organiser_id__in=access.organisations
            ).values("trainer_id")
        )
    if access.enterprises:
        # An enterprise sees the trainers who visited it or taught its deliveries.
        q |= Q(
            pk__in=ConsultingVisit.objects.filter(enterprise_id__in=access.enterprises).values(
                "trainer_id"
            )
        ) | Q(
            pk__in=Delivery.trainers.through.objects.filter(
                delivery__enrolments__enterprise_id__in=access.enterprises
            ).values("trainer_id")
        )
    return Trainer.objects.filter(q).values("pk")


# --- one rule per model ---------------------------------------------------------


def everyone(access: Access) -> Q:
    return Q()


def by_country(path: str) -> Callable[[Access], Q]:
    def rule(access: Access) -> Q:
        if access.countries:
            return Q(**{f"{path}__in": access.countries})
        return NOTHING

    return rule


def by_enterprise(path: str) -> Callable[[Access], Q]:
    def rule(access: Access) -> Q:
        return Q(**{f"{path}__in": enterprise_ids(access)})

    return rule


def by_delivery_and_enterprise(access: Access) -> Q:
    return Q(delivery_id__in=delivery_ids(access), enterprise_id__in=enterprise_ids(access))


def organisation_rule(access: Access) -> Q:
    """Country teams: their countries' organisations and the global ones; partners
    and lead buyers: their own; trainers and enterprises: the organisers of their
    deliveries and their own organisation."""
    from scoretrack.trainers.models import Trainer

    q = NOTHING
    if access.countries:
        q |= Q(country_id__in=access.countries) | Q(country__isnull=True)
    if access.organisations or access.lead_buyers:
        q |= Q(pk__in=access.organisations | access.lead_buyers)
    if access.trainers or access.enterprises:
        q |= Q(pk__in=delivery_ids(access).values("organiser_id")) | Q(
            pk__in=Trainer.objects.filter(pk__in=access.trainers).values("organisation_id")
        )
    if access.organisations or access.trainers or access.enterprises:
        # The lead buyers of the firms one reads: their names are on the firm's record.
        from scoretrack.enterprises.models import LeadBuyerLink

        q |= Q(
            pk__in=LeadBuyerLink.objects.filter(enterprise_id__in=enterprise_ids(access)).values(
                "lead_buyer_id"
            )
        )
    return q


def agreement_rule(access: Access) -> Q:
    return by_country("country_id")(access) | Q(organisation_id__in=access.organisations)


def cost_rule(access: Access) -> Q:
    return by_country("country_id")(access) | Q(delivery__organiser_id__in=access.organisations)


def contribution_rule(access: Access) -> Q:
    return (
        by_country("country_id")(access)
        | Q(organisation_id__in=access.organisations | access.lead_buyers)
        | Q(delivery__organiser_id__in=access.organisations)
    )


def submission_rule(access: Access) -> Q:
    """Field submissions: a country team reviews its countries'; anyone sees its own."""
    return by_country("country_id")(access) | Q(user_id=access.user_id)


RULES: dict[str, Callable[[Access], Q]] = {
    # Reference catalogues: every signed-in user reads them.
    "reference.CountryProgramme": everyone,
    "reference.Phase": everyone,
    "reference.Module": everyone,
    "reference.Sector": everyone,
    "reference.Region": everyone,
    "reference.Cluster": everyone,
    "reference.Target": everyone,
    "results.ResultLevel": everyone,
    "finance.ExchangeRate": everyone,
    "outcomes.Practice": everyone,
    "outcomes.Kpi": everyone,
    # Partners.
    "reference.Organisation": organisation_rule,
    "reference.Agreement": agreement_rule,
    # Firms and what belongs to them.
    "enterprises.Enterprise": lambda access: Q(pk__in=enterprise_ids(access)),
    "enterprises.LeadBuyerLink": by_enterprise("enterprise_id"),
    "training.ConsultingVisit": by_enterprise("enterprise_id"),
    "outcomes.Assessment": by_enterprise("enterprise_id"),
    "outcomes.PracticeAnswer": by_enterprise("assessment__enterprise_id"),
    "outcomes.KpiObservation": by_enterprise("enterprise_id"),
    "outcomes.KpiSelection": by_enterprise("enterprise_id"),
    "outcomes.Initiative": by_enterprise("enterprise_id"),
    "outcomes.WorkerSurveyAnswer": by_enterprise("enterprise_id"),
    # Derived rows of the outcome figures (outcomes/derived.py): as their enterprise.
    "outcomes.PracticeStep": by_enterprise("enterprise_id"),
    "outcomes.KpiPoint": by_enterprise("enterprise_id"),
    # Sums across every enterprise: whole-programme scopes only (global, viewers).
    "outcomes.PracticeTally": lambda access: NOTHING,
    "outcomes.KpiTally": lambda access: NOTHING,
    "outcomes.KpiSeriesTally": lambda access: NOTHING,
    # Training.
    "training.ModuleTally": lambda access: NOTHING,  # (sums across enterprises)
    "training.AttendanceTally": lambda access: NOTHING,
    "training.Delivery": lambda access: Q(pk__in=delivery_ids(access)),
    "training.Enrolment": by_delivery_and_enterprise,
    "training.Participant": by_delivery_and_enterprise,
    # Derived rows of the SME figures: as the participations they stand for.
    "training.Attendance": by_delivery_and_enterprise,
    # Trainers.
    "trainers.Trainer": lambda access: Q(pk__in=trainer_ids(access)),
    "trainers.Milestone": lambda access: Q(trainer_id__in=trainer_ids(access)),
    # Money.
    "finance.DirectCost": cost_rule,
    "finance.Contribution": contribution_rule,
    # Awareness.
    "events.Event": by_country("country_id"),
    "events.EventParticipation": by_country("event__country_id"),
    # Review (scoretrack.quality): a country's approvals are read by its country team
    # and by the partners working there (they mark a period ready); its violations
    # by its country team.
    "quality.Approval": lambda access: Q(
        country_id__in=access.countries | access.partner_countries
    ),
    "quality.RuleViolation": by_country("country_id"),
    # Field collection.
    "collect.Submission": submission_rule,
}


# --- who may write -------------------------------------------------------------

# Who may write each kind of record, and the parents that scope it, are declared
# with the kind (its app's kinds.py, see lib/kinds.py):
# - writers: roles (besides global admins) that may create, change and delete its
#   records — always within the records they may read. Catalogues: HQ only.
# - parents: a record hangs off parents (the records that scope it): writing it
#   needs each non-empty parent to be readable by the user *before* the write, so
#   that a new record can never widen its author's scope (enrolling a stranger's
#   SME into one's own delivery, visiting a firm to get to see it).
# `WRITERS` and `PARENTS` (model label -> roles / FK fields) are derived from them.


@cache
def _write_tables() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    from scoretrack.lib.kinds import all_kinds

    kinds = all_kinds()
    writers = {kind.label: kind.writers for kind in kinds if kind.writers}
    parents = {kind.label: kind.parents for kind in kinds if kind.parents}
    return writers, parents


def writers_of(model: type) -> frozenset[str]:
    return _write_tables()[0].get(model._meta.label, frozenset())


def creators_of(model: type) -> frozenset[str]:
    """The roles that may create records of `model` (its kind's `creators`, else its
    writers)."""
    from scoretrack.lib.kinds import all_kinds

    for kind in all_kinds():
        if kind.model is model and kind.creators is not None:
            return kind.creators & kind.writers
    return writers_of(model)


def parents_of(model: type) -> tuple[str, ...]:
    return _write_tables()[1].get(model._meta.label, ())


def __getattr__(name: str) -> Any:
    if name == "WRITERS":
        return _write_tables()[0]
    if name == "PARENTS":
        return _write_tables()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _visible_ids(access: Access, model: type, ids: set[Any]) -> set[Any]:
    """Which of `ids` the access may read (one query)."""
    if not ids:
        return set()
    found = scope(model._base_manager.filter(pk__in=ids), _AccessUser(access))
    return set(found.values_list("pk", flat=True))


def _organised_ids(access: Access, delivery_ids: set[Any]) -> set[Any]:
    from scoretrack.training.models import Delivery

    if not delivery_ids or not access.organisations:
        return set()
    organised = Delivery.objects.filter(pk__in=delivery_ids, organiser_id__in=access.organisations)
    return set(organised.values_list("pk", flat=True))


def _roots_allowed(
    access: Access, model: type, objs: Sequence[Any], adding: Sequence[bool]
) -> list[bool]:
    """The write rule of records that are not a child of another, for a batch."""
    label = model._meta.label
    countries = [getattr(obj, "country_id", None) for obj in objs]
    in_country = [country in access.countries for country in countries]
    # A partner writes only in its own countries, whatever else the rule says: a
    # delivery it organises cannot be moved abroad, nor a firm registered there.
    partner_place = [country in access.partner_countries for country in countries]
    if label == "enterprises.Enterprise":
        # An enterprise keeps its own facts up to date (not its country); a partner
        # registers new SMEs and edits those it may read, in its countries.
        existing = {obj.pk for obj, new in zip(objs, adding, strict=True) if not new}
        readable = (
            set(enterprise_ids(access).filter(pk__in=existing).values_list("pk", flat=True))
            if access.organisations and existing
            else set()
        )
        return [
            here
            or (obj.pk in access.enterprises and not new and country in access.enterprise_countries)
            or (bool(access.organisations) and place and (new or obj.pk in readable))
            for obj, new, here, place, country in zip(
                objs, adding, in_country, partner_place, countries, strict=True
            )
        ]
    if label == "training.Delivery":
        return [
            h or (o.organiser_id in access.organisations and p)
            for o, h, p in zip(objs, in_country, partner_place, strict=True)
        ]
    if label == "trainers.Trainer":
        return [
            h or (o.organisation_id in access.organisations and p)
            for o, h, p in zip(objs, in_country, partner_place, strict=True)
        ]
    if label == "reference.Organisation":
        # A partner keeps its own organisation's facts, not its country.
        return [
            h or (o.pk, o.country_id) in access.organisation_countries
            for o, h in zip(objs, in_country, strict=True)
        ]
    if label in {"finance.DirectCost", "finance.Contribution"}:
        organised = _organised_ids(access, {o.delivery_id for o in objs} - {None})
        own = label == "finance.DirectCost"
        return [
            here
            or (
                place
                and o.delivery_id in organised
                and (own or o.organisation_id in access.organisations)
            )
            for o, here, place in zip(objs, in_country, partner_place, strict=True)
        ]
    return in_country  # regions, clusters, agreements, events


def _children_allowed(access: Access, model: type, objs: Sequence[Any]) -> list[bool]:
    allowed = [True] * len(objs)
    for name in parents_of(model):
        parent_model = model._meta.get_field(name).related_model
        ids = {getattr(obj, f"{name}_id") for obj in objs} - {None}
        visible = _visible_ids(access, parent_model, ids)
        for i, obj in enumerate(objs):
            parent_id = getattr(obj, f"{name}_id")
            if parent_id is not None and parent_id not in visible:
                allowed[i] = False
    return allowed


def writable(
    user: Any, model: type, objs: Sequence[Any], *, adding: Sequence[bool] | None = None
) -> list[bool]:
    """For each record (a model instance or any object with its field attnames), may
    the user create it (`adding`) or change / delete it, before the write?

    A few queries per batch, whatever its size: the importer checks its chunks
    with it, pages and the API one record at a time through `may_write`.
    """
    access = access_for(user)
    if access.is_global:
        return [True] * len(objs)
    if not writers_of(model) & access.roles:
        return [False] * len(objs)
    access = access.for_purpose("records")
    if adding is None:
        adding = [obj._state.adding for obj in objs]
    if parents_of(model):
        return _children_allowed(access, model, objs)
    return _roots_allowed(access, model, objs, adding)


def countries_to_write(user: Any, model: type) -> QuerySet:
    """The country programmes in which the user may create records of `model` (the
    choices of its country field): every one for a global admin; else, for each of
    the user's roles that writes the kind, the places that role writes in."""
    from scoretrack.reference.models import CountryProgramme

    countries = CountryProgramme.objects.visible_to(user)
    access = access_for(user)
    if access.is_global:
        return countries
    roles = writers_of(model) & access.roles
    places: set[Any] = set()
    if "country_team" in roles:
        places |= access.countries
    if "partner" in roles:
        places |= access.partner_countries
    if "enterprise" in roles:
        places |= access.enterprise_countries
    return countries.filter(pk__in=places)


def organisations_to_write(user: Any, model: type) -> QuerySet:
    """The organisations a record of `model` the user writes may name (a delivery's
    organiser, a trainer's employer, a contributor): for a country team those of its
    countries and the global ones, for a partner its own."""
    from scoretrack.reference.models import Organisation

    organisations = Organisation.objects.visible_to(user)
    access = access_for(user)
    if access.is_global:
        return organisations
    roles = writers_of(model) & access.roles
    q = NOTHING
    if "country_team" in roles:
        q |= Q(country_id__in=access.countries) | Q(country__isnull=True)
    if "partner" in roles:
        q |= Q(pk__in=access.organisations)
    return organisations.filter(q)


class _AccessUser:
    """Stands in for a user whose access is already known."""

    is_authenticated = True
    is_active = True

    def __init__(self, access: Access) -> None:
        self._scoretrack_access = access


def may_write_kind(user: Any, model: type) -> bool:
    """May the user create records of this kind at all (before knowing which)?"""
    access = access_for(user)
    return access.is_global or bool(creators_of(model) & access.roles)


def may_write(user: Any, instance: Any) -> bool:
    """May the user create, change or delete this record (before the write)?

    For a change, ask with the record as stored and again with the new values, so
    that nothing is moved out of (or into) the user's scope.
    """
    return writable(user, type(instance), [instance])[0]
