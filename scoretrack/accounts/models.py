"""Users sign in with their e-mail address."""

from __future__ import annotations

import copy
import hashlib
import logging
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

logger = logging.getLogger(__name__)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of the pages for this user; blank = the browser's",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", "Global admin (programme HQ)"
    COUNTRY_TEAM = "country_team", "Country team"
    PARTNER = "partner", "Implementation partner"
    TRAINER = "trainer", "Trainer"
    ENTERPRISE = "enterprise", "Enterprise"
    LEAD_BUYER = "lead_buyer", "Lead buyer"
    VIEWER = "viewer", "Donor / viewer"


# Which reference each role's assignment must carry.
ROLE_NEEDS = {
    Role.GLOBAL_ADMIN: None,
    Role.COUNTRY_TEAM: "country",
    Role.PARTNER: "organisation",
    Role.TRAINER: "trainer",
    Role.ENTERPRISE: "enterprise",
    Role.LEAD_BUYER: "organisation",
    Role.VIEWER: None,
}


class RoleAssignment(models.Model):
    """One role of a user, with its scope (a user may hold several)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        "reference.CountryProgramme", null=True, blank=True, on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        "reference.Organisation", null=True, blank=True, on_delete=models.CASCADE
    )
    trainer = models.ForeignKey("trainers.Trainer", null=True, blank=True, on_delete=models.CASCADE)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_valid"),
            models.CheckConstraint(
                condition=~Q(role="country_team") | Q(country__isnull=False),
                name="role_country_team_has_country",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["partner", "lead_buyer"]) | Q(organisation__isnull=False),
                name="role_partner_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(role="trainer") | Q(trainer__isnull=False),
                name="role_trainer_has_trainer",
            ),
            models.CheckConstraint(
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
                name="role_enterprise_has_enterprise",
            ),
        ]

    def __str__(self) -> str:
        target = self.country or self.organisation or self.trainer or self.enterprise
        return f"{self.get_role_display()}" + (f" — {target}" if target else "")

    def clean(self) -> None:
        need = ROLE_NEEDS.get(Role(self.role)) if self.role in Role.values else None
        if need and getattr(self, f"{need}_id") is None:
            raise ValidationError({need: f"A {self.get_role_display()} role needs a {need}."})


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple[ApiToken, str]:
        token = "st_" + secrets.token_urlsafe(32)
        record = cls.objects.create(user=user, name=name, prefix=token[:10], digest=cls.hash(token))
        return record, token

    @classmethod
    def authenticate(cls, token: str) -> User | None:
        """The token's user, or None for an unknown, revoked or inactive one.

        A process keeps what it read for TOKEN_CACHE_SECONDS (a busy API client
        costs no token query per request): a change to a token, a user or a role
        saved in this process clears the cache at once; one made elsewhere (another
        server worker, `scoretrack token revoke`) is seen within those seconds.
        `last_used_at` is written at most once per LAST_USED_EVERY seconds.
        """
        digest = cls.hash(token)
        now = time.monotonic()
        cached = _TOKENS.get(digest)
        if cached is None or cached.expires <= now:
            cached = cls._load(digest, now)
            if cached is None:
                return None
        if cached.used_at is None or now - cached.used_at >= LAST_USED_EVERY:
            cached.used_at = now
            try:  # bookkeeping: a busy database (SQLite locked) must not refuse the call
                with transaction.atomic():
                    cls.objects.filter(pk=cached.token_id).update(last_used_at=timezone.now())
            except DatabaseError:
                logger.warning("API token %s: last use not recorded", cached.token_id)
        return copy.copy(cached.user)  # one per request: a request's changes stay its own

    @classmethod
    def _load(cls, digest: str, now: float) -> _CachedToken | None:
        from scoretrack.accounts.scoping import access_for

        generation = _TOKENS.generation
        record = (
            cls.objects.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            _TOKENS.pop(digest)
            return None
        access_for(record.user)  # the roles, read once per cache period like the token
        used_at = None
        if record.last_used_at is not None:
            age = (timezone.now() - record.last_used_at).total_seconds()
            used_at = now - age if age < LAST_USED_EVERY else None
        cached = _CachedToken(record.pk, record.user, now + TOKEN_CACHE_SECONDS, used_at)
        _TOKENS.put(digest, cached, generation)
        return cached


# Seconds a process trusts what it read of a token (its user, their roles): a token
# revoked, a user deactivated or a role changed by another process is refused within.
TOKEN_CACHE_SECONDS = 5.0
LAST_USED_EVERY = 60.0


class _CachedToken:
    __slots__ = ("expires", "token_id", "used_at", "user")

    def __init__(self, token_id: Any, user: User, expires: float, used_at: float | None) -> None:
        self.token_id, self.user, self.expires, self.used_at = token_id, user, expires, used_at


class _TokenCache:
    """Digest → _CachedToken of this process; `clear` wins over a read in flight."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, _CachedToken] = {}
        self.generation = 0

    def get(self, digest: str) -> _CachedToken | None:
        return self.entries.get(digest)

    def put(self, digest: str, entry: _CachedToken, generation: int) -> None:
        with self.lock:
            if generation == self.generation:  # nothing changed while it was read
                self.entries[digest] = entry

    def pop(self, digest: str) -> None:
        with self.lock:
            self.entries.pop(digest, None)

    def clear(self, **_signal: Any) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


_TOKENS = _TokenCache()
clear_token_cache = _TOKENS.clear
for _model in (ApiToken, User, RoleAssignment):
    models.signals.post_save.connect(clear_token_cache, sender=_model, weak=False)
    models.signals.post_delete.connect(clear_token_cache, sender=_model, weak=False)
