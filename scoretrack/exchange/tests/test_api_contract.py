"""The API keeps to its own OpenAPI document: every endpoint described, fuzzed by
schemathesis without a server error or a response the document does not allow,
and callers throttled."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from schemathesis import checks

from scoretrack.accounts.models import ApiToken
from scoretrack.api import api


def api_routes() -> list[str]:
    """Every URL pattern under /api/v1/, as the OpenAPI document writes paths."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        found = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))
        return found

    routes = walk(get_resolver().url_patterns, "")
    return sorted({"/" + r.replace("<", "{").replace(">", "}") for r in routes if "api/v1/" in r})


def test_every_api_endpoint_is_in_the_openapi_document(admin_client: Client) -> None:
    document = admin_client.get("/api/openapi.json").json()
    routes = api_routes()
    assert "/api/v1/enterprises/{id}" in routes
    assert [route for route in routes if route not in document["paths"]] == []


def test_the_docs_page_is_served_by_the_app(admin_client: Client) -> None:
    page = admin_client.get("/api/docs").content.decode()
    assert "/api/openapi.json" in page
    assert "cdn." not in page  # the assets come from the app itself


def test_a_caller_over_the_rate_gets_429(world: SimpleNamespace, monkeypatch: Any) -> None:
    throttle = api.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 2)
    cache.clear()
    _, token = ApiToken.issue(user=world.users["country"])
    client = Client(headers={"authorization": f"Bearer {token}"})
    codes = [client.get("/api/v1/events").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/events").json()["error"]
    cache.clear()


SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = get_wsgi_application()
# The record resources declare their error answers; the indicators only their 200.
STRICT = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def bearer(world: SimpleNamespace) -> Iterator[dict[str, str]]:
    """The admin's token; the test's database connection kept open across requests.

    Requests go through the WSGI handler (not Django's test client), whose
    request_started/finished signals close the connection, and with it the
    test's transaction, on PostgreSQL; the test client disconnects them too.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _, token = ApiToken.issue(user=world.users["global"])
    yield {"Authorization": f"Bearer {token}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@SCHEMA.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_survives_fuzzing_and_keeps_to_its_schema(
    case: Any, bearer: dict[str, str]
) -> None:
    response = case.call(headers=bearer)
    strict = not case.operation.path.startswith("/api/v1/indicators")
    case.validate_response(
        response, checks=[checks.not_a_server_error, *(STRICT if strict else [])]
    )
