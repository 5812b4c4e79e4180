"""Who is sending: HTTP Digest (RFC 7616, MD5, qop=auth) and Basic over HTTPS, as
ODK Collect and KoboCollect speak them, or the per-user URL of a collect key.

Digest checks against the user's collect password (`CollectKey.ha1`: Django keeps
account passwords hashed, which Digest cannot use). Basic, over HTTPS only, takes
the collect password or the account password (through `authenticate`, so
django-axes counts failures). Nonces are stateless: a timestamp signed with the
SECRET_KEY, valid NONCE_SECONDS; an older one is answered `stale=true`, which makes
the client retry with the new nonce without asking the user again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from scoretrack.collect.models import REALM, CollectKey, digest_ha1

NONCE_SECONDS = 600
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _sign(stamp: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"collect-nonce:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    stamp = str(int(time.time() if now is None else now))
    return f"{stamp}.{_sign(stamp)}"


def nonce_state(nonce: str, now: float | None = None) -> str:
    """ "ok", "stale" (well signed but too old) or "bad"."""
    stamp, _dot, signature = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _sign(stamp)):
        return "bad"
    age = (time.time() if now is None else now) - int(stamp)
    return "ok" if 0 <= age <= NONCE_SECONDS else "stale"


def parse_params(header: str) -> dict[str, str]:
    return {
        m.group(1).lower(): (
            m.group(2).replace('\\"', '"') if m.group(2) is not None else m.group(3)
        )
        for m in _PARAM.finditer(header)
    }


def digest_response(ha1: str, params: dict[str, str], method: str) -> str:
    """The `response` a client holding HA1 computes (RFC 7616 section 3.4.1)."""
    ha2 = _md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        return _md5(
            f"{ha1}:{params.get('nonce', '')}:{params.get('nc', '')}:"
            f"{params.get('cnonce', '')}:{params['qop']}:{ha2}"
        )
    return _md5(f"{ha1}:{params.get('nonce', '')}:{ha2}")


def challenge(stale: bool = False) -> str:
    opaque = secrets.token_hex(8)
    header = (
        f'Digest realm="{REALM}", qop="auth", algorithm=MD5, '
        f'nonce="{make_nonce()}", opaque="{opaque}"'
    )
    return header + (", stale=true" if stale else "")


def _user_by_name(username: str) -> Any | None:
    User = get_user_model()
    return (
        User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}, is_active=True)
        .select_related("collect_key")
        .first()
    )


def _digest_user(request: HttpRequest, header: str) -> tuple[Any | None, bool]:
    """The user a Digest header proves, and whether its nonce was merely stale."""
    params = parse_params(header)
    if params.get("algorithm", "MD5").upper() != "MD5" or params.get("qop", "auth") != "auth":
        return None, False
    # The digest covers the URI the client sent: it must be this request's.
    if params.get("uri") not in (request.get_full_path(), request.path):
        return None, False
    user = _user_by_name(params.get("username", ""))
    key = getattr(user, "collect_key", None) if user else None
    if key is None:
        return None, False
    expected = digest_response(key.ha1, params, request.method or "GET")
    if not hmac.compare_digest(expected, params.get("response", "")):
        return None, False
    state = nonce_state(params.get("nonce", ""))
    if state != "ok":
        return None, state == "stale"
    return user, False


def _basic_user(request: HttpRequest, header: str) -> Any | None:
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    username, _colon, password = decoded.partition(":")
    user = _user_by_name(username)
    key = getattr(user, "collect_key", None) if user else None
    if key is not None and hmac.compare_digest(key.ha1, digest_ha1(user.get_username(), password)):
        return user
    return authenticate(request, username=username, password=password)


def collect_user(request: HttpRequest, key_token: str | None = None) -> tuple[Any | None, bool]:
    """The authenticated sender of an OpenRosa request, and whether the nonce was stale."""
    if key_token is not None:
        key = (
            CollectKey.objects.select_related("user")
            .filter(token_hash=CollectKey.hash_token(key_token), user__is_active=True)
            .first()
        )
        return (key.user if key else None), False
    header = request.headers.get("Authorization", "")
    scheme, _space, rest = header.partition(" ")
    if scheme.lower() == "digest":
        return _digest_user(request, rest)
    if scheme.lower() == "basic" and request.is_secure():
        return _basic_user(request, rest), False
    return None, False


def openrosa_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs for an authenticated user (request.collect_user), else 401 with
    the Digest challenge (404 for an unknown key URL). CSRF exempt: phones send no
    cookie, the Authorization header is the proof."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, key: str | None = None, **kwargs: Any) -> Any:
        user, stale = collect_user(request, key)
        if user is None:
            if key is not None:
                response = HttpResponse(status=404)
            else:
                response = HttpResponse(status=401)
                response["WWW-Authenticate"] = challenge(stale)
            response["X-OpenRosa-Version"] = "1.0"
            return response
        request.collect_user = user  # type: ignore[attr-defined]
        request.collect_prefix = (  # type: ignore[attr-defined]
            f"/collect/key/{key}/" if key is not None else "/collect/"
        )
        response = view(request, *args, **kwargs)
        response.setdefault("X-OpenRosa-Version", "1.0")
        return response

    return wrapped
