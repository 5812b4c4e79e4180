"""Content-Security-Policy: everything is served by the app itself, so 'self' suffices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes are used by server-drawn SVG charts and htmx indicators.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API docs page boots Swagger UI with an inline script.
DOCS_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
# The browser forms' XForm engine (ODK Web Forms) compiles its XPath parser from
# WebAssembly it carries, and its fonts come inside its bundle (data: URLs): both
# allowed there, eval still not.
WASM_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'").replace(
    "font-src 'self'", "font-src 'self' data:"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        relaxed = any(request.path.startswith(p) for p in settings.CSP_RELAXED_PATHS)
        wasm = any(request.path.startswith(p) for p in settings.CSP_WASM_PATHS)
        policy = DOCS_POLICY if relaxed else WASM_POLICY if wasm else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class SecureCookiesMiddleware:
    """Every cookie of a response to an HTTPS request is marked Secure.

    `request.is_secure()` honours SECURE_PROXY_SSL_HEADER, so a site behind a
    TLS proxy gets Secure cookies without SECURE; and a site on plain http
    (a laptop, `scoretrack serve`) keeps its session whatever its database."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response
