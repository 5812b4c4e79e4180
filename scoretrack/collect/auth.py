"""Who is sending: HTTP Digest (RFC 7616, MD5, qop=auth) and Basic over HTTPS, as
ODK Collect and KoboCollect speak them, or the per-user URL of a collect key.

Digest checks against the user's collect password (`CollectKey.ha1`: Django keeps
account passwords hashed, which Digest cannot use). Basic, over HTTPS only, takes
the collect password or the account password (through `authenticate`, so
django-axes counts failures). Nonces are stateless: a timestamp signed with the
SECRET_KEY, valid NONCE_SECONDS; an older one is answered `stale=true`, which makes
the client retry with the new nonce without asking the user again.

Wrong passwords count as the log-in page's do (django-axes, the same settings and
lock-out rules: per username and address): a Digest response that does not match
is signalled as a failed log-in, Basic goes through `authenticate`, which signals
its own. A locked-out sender is answered 403 with the reason in an OpenRosa message
(not axes' HTML page, which a phone cannot show), before its password is looked at.
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

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
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


class LockedOut(Exception):
    """Too many failed log-ins for this username from this address (django-axes)."""


def _credentials(username: str) -> dict[str, str]:
    return {settings.AXES_USERNAME_FORM_FIELD: username}


def _check_lock(request: HttpRequest, username: str) -> None:
    if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, _credentials(username)):
        raise LockedOut


def _failed(request: HttpRequest, username: str) -> None:
    """A wrong password, counted as the log-in page counts it; raises LockedOut when
    this failure reached the limit."""
    user_login_failed.send(sender=__name__, credentials=_credentials(username), request=request)
    _after_failure(request)


def _after_failure(request: HttpRequest) -> None:
    if getattr(request, "axes_locked_out", False):
        # Answered here (403 and an OpenRosa message), not by axes' middleware.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise LockedOut


def _succeeded(request: HttpRequest, username: str) -> None:
    """A good password clears the earlier failures (AXES_RESET_ON_SUCCESS), as a log-in
    does; looked up only, and written only when there were some."""
    credentials = _credentials(username)
    if (
        settings.AXES_ENABLED
        and settings.AXES_RESET_ON_SUCCESS
        and AxesProxyHandler.get_failures(request, credentials)
    ):
        AxesProxyHandler.reset_attempts(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        )


def _digest_user(request: HttpRequest, header: str) -> tuple[Any | None, bool]:
    """The user a Digest header proves, and whether its nonce was merely stale."""
    params = parse_params(header)
    if params.get("algorithm", "MD5").upper() != "MD5" or params.get("qop", "auth") != "auth":
        return None, False
    # The digest covers the URI the client sent: it must be this request's.
    if params.get("uri") not in (request.get_full_path(), request.path):
        return None, False
    username = params.get("username", "")
    _check_lock(request, username)
    user = _user_by_name(username)
    key = getattr(user, "collect_key", None) if user else None
    expected = digest_response(key.ha1, params, request.method or "GET") if key else ""
    if key is None or not hmac.compare_digest(expected, params.get("response", "")):
        _failed(request, username)
        return None, False
    state = nonce_state(params.get("nonce", ""))
    if state != "ok":
        return None, state == "stale"
    _succeeded(request, username)
    return user, False


def _basic_user(request: HttpRequest, header: str) -> Any | None:
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    username, _colon, password = decoded.partition(":")
    _check_lock(request, username)
    user = _user_by_name(username)
    key = getattr(user, "collect_key", None) if user else None
    if key is not None and hmac.compare_digest(key.ha1, digest_ha1(user.get_username(), password)):
        _succeeded(request, username)
        return user
    # `authenticate` signals a failure itself (axes counts it).
    found = authenticate(request, username=username, password=password)
    if found is None:
        _after_failure(request)
    else:
        _succeeded(request, username)
    return found


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


def locked_out() -> HttpResponse:
    """403 with the reason as an OpenRosa message, which ODK Collect shows."""
    from scoretrack.collect.openrosa import message

    reason = _(
        "This account is locked for a while after repeated wrong passwords from this "
        "address. Try again later, or ask your programme administrator to unlock it."
    )
    return message(f"{_('Too many failed log-ins')}: {reason}", status=403)


def openrosa_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs for an authenticated user (request.collect_user), else 401 with
    the Digest challenge (404 for an unknown key URL). CSRF exempt: phones send no
    cookie, the Authorization header is the proof."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, key: str | None = None, **kwargs: Any) -> Any:
        try:
            user, stale = collect_user(request, key)
        except LockedOut:
            return locked_out()
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
