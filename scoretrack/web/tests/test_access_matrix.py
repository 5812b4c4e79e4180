"""The access matrix: for every role and every endpoint, what is outside the role's
scope never appears, and its detail answers 404.

What each role's scope is, record by record, is written by hand in
scoretrack/accounts/tests/test_scoping.py; here every endpoint is held to it (a
page that skipped `visible_to` would show what the scoping hides).

Table-driven over the URL map: every URL pattern of the project must be listed
here (or exempted with a reason), so a new endpoint without a scope fails
`test_every_endpoint_is_in_the_matrix` until it is added.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from scoretrack.exchange.schema import SHEETS
from scoretrack.reference.catalogue_views import CATALOGUES

ROLES = ["global", "country", "partner", "trainer", "enterprise", "lead_buyer", "viewer", "nobody"]

# The world's records of each kind, by fixture name (see scoretrack/conftest.py).
RECORDS = {
    "enterprises.Enterprise": ["E_BO1", "E_BO2", "E_PE1"],
    "training.Delivery": ["D_BO", "D_BO2", "D_PE"],
    "trainers.Trainer": ["T_BO", "T_PE"],
    "reference.Organisation": ["P_BO", "P_PE", "LB"],
    "finance.DirectCost": ["COST_BO", "COST_PE"],
    "finance.Contribution": ["CONTRIB_LB", "CONTRIB_PE"],
    "events.Event": ["EV_BO", "EV_PE"],
    "outcomes.Initiative": ["INIT_BO1", "INIT_PE1"],
}

# Pages listing records: route -> (model, URL). A record shows as a link to its pk.
LISTS = {
    "enterprises/": "enterprises.Enterprise",
    "deliveries/": "training.Delivery",
    "trainers/": "trainers.Trainer",
    "organisations/": "reference.Organisation",
    "costs/": "finance.DirectCost",
    "contributions/": "finance.Contribution",
    "events/": "events.Event",
}

# Pages of one record: route -> model.
DETAILS = {
    "enterprises/<uuid:pk>/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/edit/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/delete/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/kpis/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/kpis/select/": "enterprises.Enterprise",
    "deliveries/<uuid:pk>/": "training.Delivery",
    "deliveries/<uuid:pk>/edit/": "training.Delivery",
    "deliveries/<uuid:pk>/delete/": "training.Delivery",
    "trainers/<uuid:pk>/": "trainers.Trainer",
    "trainers/<uuid:pk>/edit/": "trainers.Trainer",
    "trainers/<uuid:pk>/delete/": "trainers.Trainer",
    "organisations/<uuid:pk>/": "reference.Organisation",
    "organisations/<uuid:pk>/edit/": "reference.Organisation",
    "organisations/<uuid:pk>/delete/": "reference.Organisation",
    "costs/<uuid:pk>/edit/": "finance.DirectCost",
    "costs/<uuid:pk>/delete/": "finance.DirectCost",
    "contributions/<uuid:pk>/edit/": "finance.Contribution",
    "contributions/<uuid:pk>/delete/": "finance.Contribution",
    "events/<uuid:pk>/": "events.Event",
    "events/<uuid:pk>/edit/": "events.Event",
    "events/<uuid:pk>/delete/": "events.Event",
    "initiatives/<uuid:pk>/edit/": "outcomes.Initiative",
    "initiatives/<uuid:pk>/delete/": "outcomes.Initiative",
    # An enterprise's outcome pages: of an enterprise in scope only.
    "enterprises/<uuid:pk>/assessments/new/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/initiatives/new/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/surveys/": "enterprises.Enterprise",
    "enterprises/<uuid:pk>/surveys/new/": "enterprises.Enterprise",
}

# Forms creating a record: their choices (enterprises, deliveries, trainers,
# organisations...) must hold only records in scope.
CREATES = [
    "enterprises/new/",
    "deliveries/new/",
    "trainers/new/",
    "organisations/new/",
    "costs/new/",
    "contributions/new/",
    "events/new/",
]

# Rows managed on a parent's page: route -> (parent's world names, row getter).
INLINES: dict[str, tuple[list[str], Callable[[SimpleNamespace, Any], Any]]] = {
    "deliveries/<uuid:pk>/enrolments/": (
        ["D_BO", "D_BO2", "D_PE"],
        lambda w, d: d.enrolments.first(),
    ),
    "deliveries/<uuid:pk>/participants/": (
        ["D_BO", "D_BO2", "D_PE"],
        lambda w, d: d.participants.first(),
    ),
    "deliveries/<uuid:pk>/visits/": (["D_BO", "D_BO2", "D_PE"], lambda w, d: visit_in(d)),
    "trainers/<uuid:pk>/milestones/": (["T_BO", "T_PE"], lambda w, t: t.milestones.first()),
    "organisations/<uuid:pk>/agreements/": (
        ["P_BO", "P_PE"],
        lambda w, o: o.agreements.first(),
    ),
    "events/<uuid:pk>/participants/": (["EV_BO", "EV_PE"], lambda w, e: e.participations.first()),
    "enterprises/<uuid:pk>/selections/": (
        ["E_BO1", "E_BO2", "E_PE1"],
        lambda w, e: kpi_selection_of(e),
    ),
}


def kpi_selection_of(enterprise: Any) -> Any:
    """A KPI the enterprise selected."""
    import datetime as dt

    from scoretrack.outcomes.models import Kpi, KpiSelection

    kpi = Kpi.objects.get_or_create(
        code="absent", defaults={"name": "Absenteeism", "unit": "days", "better": "lower"}
    )[0]
    return KpiSelection.objects.create(
        enterprise=enterprise, kpi=kpi, selected_on=dt.date(2015, 7, 1)
    )


def visit_in(delivery: Any) -> Any:
    """A consulting visit recorded on the delivery, to its first enterprise."""
    import datetime as dt

    from scoretrack.training.models import ConsultingVisit

    trainer = delivery.trainers.first() or delivery.country.trainers.first()
    return ConsultingVisit.objects.create(
        enterprise=delivery.enrolments.first().enterprise,
        trainer=trainer,
        delivery=delivery,
        date=dt.date(2015, 7, 1),
    )


INLINE_ACTIONS = ["add/", "<uuid:row>/", "<uuid:row>/edit/", "<uuid:row>/delete/"]

# Figures only (aggregates, scoped by the registry): never a record's name or id.
AGGREGATES = {
    "reports/": "/reports/",
    "reports/programme/": "/reports/programme/?phase=",
    "reports/country/<str:code>/": "/reports/country/BO/",
    "api/v1/indicators/values": "/api/v1/indicators/values?code=smes_trained&by=country",
}

# Each role's home (web/homes.py): figures, and the records of the role's own work.
HOMES = {"": "/"}

# Endpoints that show no domain record, each with the reason.
EXEMPT = {
    "livez": "a constant",
    "favicon.ico": "redirects to the static icon",
    "healthz": "the database's state only",
    "login/": "public",
    "logout/": "ends the session",
    "language": "sets the page language",
    "deleted/": "global admins only (tested in test_audit)",
    "deleted/restore": "global admins only (tested in test_audit)",
    "indicators/": "definitions of the figures, no data",
    "api/": "the API's root",
    "api/openapi.json": "the API's description",
    "api/docs": "the API's documentation page",
    "api/v1/indicators": "the indicator catalogue, no data",
    "reports/country/": "redirects to a country's profile",
    "exchange/import/": "an upload form; the import itself is scoped (test_import_scope)",
    "exchange/import/<uuid:job_id>/": "the importer's own job only (get_object_or_404 by user)",
    "exchange/import/<uuid:job_id>/confirm/": "the importer's own job only",
    "exchange/import/<uuid:job_id>/retry/": "the importer's own job only",
    "exchange/export/template.xlsx": "an empty workbook",
    "exchange/export/": "tested below: the export holds the user's records only",
    "trainers/<uuid:pk>/certification/": "a POST on a visible trainer (404 otherwise), "
    "country team or HQ only (test_certification)",
    "assessments/<uuid:pk>/edit/": "no assessment in this world: out of scope 404 in "
    "outcomes/tests/test_assessment_pages.py",
    "assessments/<uuid:pk>/delete/": "the same (test_assessment_pages.py)",
    "surveys/<uuid:pk>/edit/": "no survey answer in this world: out of scope 404 in "
    "outcomes/tests/test_plan_and_survey_pages.py",
    "surveys/<uuid:pk>/delete/": "the same (test_plan_and_survey_pages.py)",
    # collect-forms: the field forms and their CSVs, role by role in
    # collect/tests/test_forms_pages.py (test_no_media_holds_a_record_outside_the_scope)
    "collect/forms/": "the forms a role may submit, no record",
    "collect/forms/<slug:form_id>/xlsform/": "a form's definition: catalogues only",
    "collect/forms/<slug:form_id>/xform/": "a form's definition: catalogues only",
    "collect/forms/<slug:form_id>/files/<str:name>": "the user's scope (test_forms_pages)",
    # scoretrack.results: the chain and the tracking table are read by every role (the
    # registry's figures, protected for aggregates-only roles; no record link for them:
    # results/tests/test_pages.py); levels written by HQ and country teams, their own
    "results/": "the results chains every signed-in role reads",
    "results/tracking/": "registry figures; record links by role (results/tests)",
    "results/levels/new/": "HQ and country teams (results/tests/test_pages.py)",
    "results/levels/<uuid:pk>/": "chains are read by all",
    "results/levels/<uuid:pk>/edit/": "the same writers, their own country (results/tests)",
    "results/levels/<uuid:pk>/delete/": "the same",
    # webforms: the same forms filled in the browser (collect/tests/test_webforms.py)
    "collect/fill/": "the forms a role may submit, no record",
    "collect/fill/sw.js": "the service worker's script, no data",
    "collect/fill/submission": "writes through the form's accept, scoped; answers its state",
    "collect/fill/<slug:form_id>/": "a form's definition: catalogues only",
    "collect/fill/<slug:form_id>/media/<str:name>": "the form's media, the user's scope",
    # scoretrack.quality: refused below (test_review_pages_refuse_who_does_not_review)
    # and country by country in quality/tests/test_pages.py
    "quality/approvals/": "HQ, country teams and partners (quality/tests/test_pages.py)",
    "quality/approvals/<str:code>/<str:period>/": "the same, its own countries only",
    "quality/violations/": "HQ and country teams, their countries (test_pages.py)",
    "quality/run/": "HQ and country teams, a POST",
}

# The record resources of the API (/api/v1/<sheet>) go through the same
# `visible_to`; they are held to it role by role in
# scoretrack/exchange/tests/test_api_resources.py (test_the_api_shows_each_role_its_scope).
for _sheet in SHEETS:
    for _route in (f"api/v1/{_sheet.name}", f"api/v1/{_sheet.name}/<id>"):
        EXEMPT[_route] = "tested role by role in exchange/tests/test_api_resources.py"


# The catalogues (reference/catalogue_views.py) are read by every signed-in user
# (RULES: everyone); who may write each is tested role by role in
# scoretrack/reference/tests/test_catalogue_pages.py.
EXEMPT["catalogues/"] = "counts of the catalogues every signed-in user reads"
for _catalogue in CATALOGUES:
    for _action in ("", "new/", "<uuid:pk>/", "<uuid:pk>/edit/", "<uuid:pk>/delete/"):
        EXEMPT[f"catalogues/{_catalogue.segment}/{_action}"] = "read by all, tested per role"

# Field collection's OpenRosa server and review queue (collect/): the phone's forms are
# its own (forms_for), submissions scoped by RULES; held role by role in
# collect/tests/test_openrosa.py and test_review.py.
for _route in (
    "formList",
    "forms/<str:form_id>/form.xml",
    "forms/<str:form_id>/manifest",
    "forms/<str:form_id>/media/<str:name>",
    "submission",
):
    EXEMPT[f"collect/{_route}"] = "OpenRosa, the sender's forms only (test_openrosa)"
    EXEMPT[f"collect/key/<str:key>/{_route}"] = "OpenRosa by a collect key (test_openrosa)"
for _route in (
    "",
    "<uuid:pk>/",
    "<uuid:pk>/accept",
    "<uuid:pk>/reject",
    "<uuid:pk>/files/<str:name>",
):
    EXEMPT[f"collect/review/{_route}"] = "submissions by RULES, tested in test_review"
EXEMPT["collect/phone/"] = "the user's own collect password"
EXEMPT["collect/import/"] = "an upload form; each row received as the user (test_pipeline_csv)"


def routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver().url_patterns, ""):
        if not route.startswith("admin/"):
            yield route


def known(route: str) -> bool:
    if any(route in table for table in (LISTS, DETAILS, AGGREGATES, HOMES, EXEMPT, CREATES)):
        return True
    return any(route == base + action for base in INLINES for action in INLINE_ACTIONS)


def test_every_endpoint_is_in_the_matrix() -> None:
    assert [route for route in routes() if not known(route)] == []


def client_for(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def visible(world: SimpleNamespace, role: str, label: str) -> set[Any]:
    model = apps.get_model(label)
    return set(model.objects.visible_to(world.users[role]).values_list("pk", flat=True))


CASES = [(route, role) for route in LISTS for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_a_list_shows_only_records_in_scope(world: SimpleNamespace, route: str, role: str) -> None:
    label = LISTS[route]
    response = client_for(world, role).get("/" + route)
    html = response.content.decode()
    allowed = visible(world, role, label)
    for name in RECORDS[label]:
        record = getattr(world, name)
        if record.pk in allowed:
            assert str(record.pk) in html, f"{name} missing for {role}"
        else:
            assert str(record.pk) not in html, f"{name} leaks to {role}"


CASES = [(route, role) for route in DETAILS for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_a_record_outside_the_scope_is_404(world: SimpleNamespace, route: str, role: str) -> None:
    label = DETAILS[route]
    client = client_for(world, role)
    allowed = visible(world, role, label)
    for name in RECORDS[label]:
        record = getattr(world, name)
        status = client.get("/" + route.replace("<uuid:pk>", str(record.pk))).status_code
        if record.pk in allowed:
            assert status in (200, 403), f"{name} for {role}: {status}"
        else:
            assert status == 404, f"{name} for {role}: {status}"


CASES = [(route, role) for route in INLINES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_rows_of_a_parent_outside_the_scope_are_404(
    world: SimpleNamespace, route: str, role: str
) -> None:
    names, row_of = INLINES[route]
    client = client_for(world, role)
    for name in names:
        parent = getattr(world, name)
        row = row_of(world, parent)
        base = "/" + route.replace("<uuid:pk>", str(parent.pk))
        user = world.users[role]
        allowed = (
            type(row).objects.visible_to(user).filter(pk=row.pk).exists()
            and type(parent).objects.visible_to(user).filter(pk=parent.pk).exists()
        )
        for action in ("<uuid:row>/", "<uuid:row>/edit/"):
            status = client.get(base + action.replace("<uuid:row>", str(row.pk))).status_code
            # Without htmx a row's own URL sends the browser back to the parent's page.
            expected = (200, 302, 403) if allowed else (404,)
            assert status in expected, f"{route}{action} {name} for {role}: {status}"
        deleted = client.post(base + f"{row.pk}/delete/").status_code
        assert deleted in ((200, 302, 403) if allowed else (404,))
        assert type(row).objects.filter(pk=row.pk).exists() == (deleted not in (200, 302))


def out_of_scope_ids(world: SimpleNamespace, role: str) -> dict[str, Any]:
    hidden = {}
    for label, names in RECORDS.items():
        allowed = visible(world, role, label)
        for name in names:
            if getattr(world, name).pk not in allowed:
                hidden[name] = getattr(world, name).pk
    return hidden


def add_forms(world: SimpleNamespace) -> list[str]:
    urls = ["/" + route for route in CREATES]
    for route, (names, _row) in INLINES.items():
        urls += [
            "/" + route.replace("<uuid:pk>", str(getattr(world, n).pk)) + "add/" for n in names
        ]
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_forms_offer_no_choice_outside_the_scope(world: SimpleNamespace, role: str) -> None:
    client = client_for(world, role)
    hidden = out_of_scope_ids(world, role)
    for url in add_forms(world):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        if response.status_code == 200:
            html = response.content.decode()
            leaks = [name for name, pk in hidden.items() if str(pk) in html]
            assert leaks == [], f"{url} offers {leaks} to {role}"


CASES = [(route, role) for route in AGGREGATES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_figures_pages_never_show_a_record(world: SimpleNamespace, route: str, role: str) -> None:
    response = client_for(world, role).get(AGGREGATES[route])
    assert response.status_code in (200, 302, 404)
    html = response.content.decode()
    for name in RECORDS["enterprises.Enterprise"]:
        record = getattr(world, name)
        assert str(record.pk) not in html
        assert record.name not in html


@pytest.mark.parametrize("role", ROLES)
def test_a_home_shows_no_record_outside_the_scope(world: SimpleNamespace, role: str) -> None:
    """A home lists the records of its role's work (a trainer's firms, a country's
    queue); lead buyers and viewers see figures only, never one firm."""
    html = client_for(world, role).get(HOMES[""]).content.decode()
    for label in ("enterprises.Enterprise", "trainers.Trainer", "training.Delivery"):
        allowed = visible(world, role, label)
        for name in RECORDS[label]:
            record = getattr(world, name)
            if record.pk not in allowed:
                assert str(record.pk) not in html, f"{name} leaks to {role}"
                assert str(record) not in html, f"{name} leaks to {role}"


@pytest.mark.parametrize("role", ROLES)
def test_an_export_holds_the_users_records_only(world: SimpleNamespace, role: str) -> None:
    response = client_for(world, role).get("/exchange/export/?format=zip&sheet=enterprises")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        text = archive.read("enterprises.csv").decode()
    allowed = visible(world, role, "enterprises.Enterprise")
    for name in RECORDS["enterprises.Enterprise"]:
        record = getattr(world, name)
        assert (record.key in text) == (record.pk in allowed), f"{name} for {role}"


def test_anonymous_visitors_see_no_page_with_data(world: SimpleNamespace) -> None:
    client = Client()
    for route in [*LISTS, *AGGREGATES.values(), *HOMES.values()]:
        url = route if route.startswith("/") else "/" + route
        response = client.get(url)
        assert response.status_code in (302, 401), url


@pytest.mark.parametrize("role", ["trainer", "enterprise", "lead_buyer", "viewer", "nobody"])
def test_review_pages_refuse_who_does_not_review(world: SimpleNamespace, role: str) -> None:
    client = Client()
    client.force_login(world.users[role])
    assert client.get("/quality/approvals/").status_code == 403
    assert client.get("/quality/approvals/BO/2015Q2/").status_code in (403, 404)
    assert client.get("/quality/violations/").status_code == 403
    assert client.post("/quality/run/").status_code == 403
