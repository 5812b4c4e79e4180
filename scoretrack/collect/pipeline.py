"""One way in for every field submission: ODK Collect and KoboCollect (OpenRosa),
the browser form and a CSV of Kobo or ODK Central all call `receive`.

A submission is kept before anything else is tried, idempotent by its instanceID
(the unique constraint decides between concurrent sends); its form's `accept`
writes the records through the one write path inside a savepoint, so a refusal
leaves no half write and the submission waits in the review queue with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from scoretrack.accounts.scoping import access_for
from scoretrack.collect.models import Submission, SubmissionAttachment
from scoretrack.lib.current_user import acting_as

log = logging.getLogger(__name__)


def forms_module() -> Any:
    """The field forms (collect/forms.py), imported when first needed."""
    from scoretrack.collect import forms

    return forms


# While an import is only checked (rolled back), its reasons are wanted in the
# checker's language alone: not said again in the others.
_one_language: ContextVar[bool] = ContextVar("collect_one_language", default=False)


@contextmanager
def said_in_one_language() -> Iterator[None]:
    token = _one_language.set(True)
    try:
        yield
    finally:
        _one_language.reset(token)


class Said:
    """A message kept as its words and their values, said in whichever language is
    active when it is turned into text (a reason is kept in every language)."""

    def __init__(self, text: Any, values: Any = None) -> None:
        self.text, self.values = text, values

    def __str__(self) -> str:
        return str(self.text) if self.values is None else str(self.text) % self.values


def in_every_language(say: Callable[[], Any]) -> dict[str, str]:
    """What `say` says in each interface language."""
    if _one_language.get():
        return {_language(): str(say())}
    said = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said[code] = str(say())
    return said


@dataclass
class Instance:
    root: ET.Element | None
    form_id: str
    version: str
    instance_id: str
    problem: Said | str = ""


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse(xml: bytes) -> Instance:
    """The instance's root, form ID, version and instanceID, or why they cannot be read.
    An instance with no instanceID is named by its content, so a resend is still one."""
    fallback = "sha256:" + hashlib.sha256(xml).hexdigest()
    try:
        root = SafeET.fromstring(xml)
    except DefusedXmlException:
        reason = Said(_("The XML was refused: it declares entities or a DTD, which no form needs."))
        return Instance(None, "", "", fallback, reason)
    except (ET.ParseError, ValueError) as error:
        return Instance(None, "", "", fallback, Said(_("The XML cannot be read: %s"), str(error)))
    form_id = root.get("id", "") or local(root.tag)
    version = root.get("version", "")
    instance_id = ""
    for element in root.iter():
        if local(element.tag) == "instanceID" and element.text and element.text.strip():
            instance_id = element.text.strip()
            break
    problem = "" if instance_id else Said(_("The submission has no meta/instanceID."))
    return Instance(root, form_id, version, instance_id or fallback, problem)


def receive(
    user: Any,
    xml: bytes,
    attachments: dict[str, bytes] | None = None,
    *,
    channel: str = "openrosa",
    content_types: dict[str, str] | None = None,
) -> Submission:
    """Keep the submission and accept it if its form can; see the module's docstring.
    A second receive of an instanceID returns the first Submission with
    `duplicate = True` and writes nothing."""
    instance = parse(xml)
    if len(instance.instance_id) > 255:
        instance.instance_id = "sha256:" + hashlib.sha256(xml).hexdigest()
        instance.problem = instance.problem or Said(
            _("The instanceID is longer than 255 characters.")
        )
    existing = _existing(instance.instance_id)
    if existing is not None:
        _add_attachments(existing, attachments or {}, content_types)
        existing.duplicate = True  # type: ignore[attr-defined]
        return existing
    try:
        with transaction.atomic():
            submission = _keep(user, xml, instance, attachments or {}, channel, content_types)
            if instance.problem:
                problem = instance.problem
                _mark(submission, Submission.State.HAS_ISSUES, in_every_language(lambda: problem))
            else:
                _accept(submission, instance.root, user)
    except IntegrityError:
        # A concurrent send of the same instance won the unique constraint.
        existing = Submission.objects.get(instance_id=instance.instance_id)
        existing.duplicate = True  # type: ignore[attr-defined]
        return existing
    submission.duplicate = False  # type: ignore[attr-defined]
    return submission


def _add_attachments(
    submission: Submission, attachments: dict[str, bytes], content_types: dict[str, str] | None
) -> None:
    """A resend brings the files the first send lacked: ODK Collect splits a large
    submission into several posts of the same instance (`*isIncomplete*`), each with
    some of its attachments. Files already kept are not replaced."""
    kept = set(submission.attachments.values_list("name", flat=True))
    SubmissionAttachment.objects.bulk_create(
        (
            SubmissionAttachment(
                submission=submission,
                name=name[:255],
                content_type=(content_types or {}).get(name, "")[:100],
                data=data,
                size=len(data),
            )
            for name, data in attachments.items()
            if name[:255] not in kept
        ),
        ignore_conflicts=True,
    )


def _existing(instance_id: str) -> Submission | None:
    return Submission.objects.filter(instance_id=instance_id).first()


def _keep(
    user: Any,
    xml: bytes,
    instance: Instance,
    attachments: dict[str, bytes],
    channel: str,
    content_types: dict[str, str] | None,
) -> Submission:
    submission = Submission.objects.create(
        instance_id=instance.instance_id,
        form_id=instance.form_id[:100],
        form_version=instance.version[:100],
        user=user if getattr(user, "pk", None) else None,
        country_id=_country_of(user),
        channel=channel,
        xml=xml.decode("utf-8", errors="replace"),
    )
    _add_attachments(submission, attachments, content_types)
    return submission


def _country_of(user: Any) -> Any:
    """The country programme whose team reviews this user's submissions, if one."""
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.reference.models import Organisation
    from scoretrack.trainers.models import Trainer

    access = access_for(user)
    candidates = set(access.countries)
    candidates |= set(
        Trainer.objects.filter(pk__in=access.trainers).values_list("country_id", flat=True)
    )
    candidates |= set(
        Organisation.objects.filter(pk__in=access.organisations).values_list(
            "country_id", flat=True
        )
    )
    candidates |= set(
        Enterprise.objects.filter(pk__in=access.enterprises).values_list("country_id", flat=True)
    )
    candidates.discard(None)
    return candidates.pop() if len(candidates) == 1 else None


def _mark(
    submission: Submission, state: str, reasons: dict[str, str] | None = None, **fields: Any
) -> None:
    """The submission's new state, with its reason in every language (none: no reason)."""
    submission.state = state
    if reasons is not None:
        submission.reasons = reasons
        default = reasons.get(settings.LANGUAGE_CODE)
        submission.reason = default if default is not None else next(iter(reasons.values()), "")
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save()


def refusal_reason(error: BaseException) -> str:
    """A refusal in words a reviewer can act on."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                for field, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    # A form's Refused says where and why itself (the collect contract).
    return str(getattr(error, "reason", "") or error) or error.__class__.__name__


def _accept(submission: Submission, root: ET.Element | None, user: Any) -> bool:
    """Run the form's `accept` in a savepoint: approved with the records written, or
    has_issues with the reason (and nothing written)."""
    forms = forms_module()
    form = forms.FORMS.get(submission.form_id)
    if form is None or root is None:
        said = Said(_("No field form is called “%s”."), submission.form_id)
        _mark(submission, Submission.State.HAS_ISSUES, in_every_language(lambda: said))
        return False
    refused = (forms.Refused, ValidationError, PermissionDenied)

    def attempt() -> Any:
        with acting_as(user):
            return form.accept(root, user, version=submission.form_version)

    try:
        with transaction.atomic():
            written = attempt()
    except refused as error:
        reasons = _refusals(attempt)
        reasons[_language()] = refusal_reason(error)
        _mark(submission, Submission.State.HAS_ISSUES, reasons)
        return False
    except Exception as error:  # never a lost submission, never a 500: it waits for review
        log.exception("Field form %s failed on %s", submission.form_id, submission.instance_id)
        said = Said(
            _("The form could not be accepted (%(error)s)."), {"error": type(error).__name__}
        )
        _mark(submission, Submission.State.HAS_ISSUES, in_every_language(lambda: said))
        return False
    _mark(
        submission,
        Submission.State.APPROVED,
        {},
        records=[{"model": r._meta.label, "id": str(r.pk)} for r in written or []],
    )
    return True


class _Undo(Exception):
    """Raised to roll back a savepoint whose work was only to find words."""


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _refusals(attempt: Callable[[], Any]) -> dict[str, str]:
    """A refusal's reason in each language: the form's reasons are made of what the
    importer, the rules and the checks say at the time, so the attempt is made again in
    each language, inside a savepoint always rolled back (nothing it writes stays)."""
    forms = forms_module()
    reasons: dict[str, str] = {}
    if _one_language.get():
        return reasons
    for code, _name in settings.LANGUAGES:
        if code == _language():
            continue
        try:
            with translation.override(code), transaction.atomic():
                attempt()
                raise _Undo
        except (forms.Refused, ValidationError, PermissionDenied) as error:
            with translation.override(code):
                reasons[code] = refusal_reason(error)
        except Exception:  # e.g. _Undo: no reason in that language; the others stand
            continue
    return reasons


@transaction.atomic
def submission_accept(*, submission: Submission, reviewer: Any, xml: str, note: str = "") -> bool:
    """A reviewer's correction: the corrected instance accepted under the reviewer's
    scope; the raw XML is kept as it came. False (and the new reason) when refused."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state not in (Submission.State.HAS_ISSUES, Submission.State.RECEIVED):
        raise ValidationError(_("Only a submission with issues can be accepted."))
    instance = parse(xml.encode())
    if instance.root is None:
        raise ValidationError(str(instance.problem))
    if xml != locked.xml:
        locked.corrected_xml = xml
    locked.form_version = instance.version[:100] or locked.form_version
    locked.reviewer = reviewer
    locked.reviewed_at = timezone.now()
    locked.review_note = note
    locked._history_user = reviewer  # type: ignore[attr-defined]
    accepted = _accept(locked, instance.root, reviewer)
    submission.refresh_from_db()
    return accepted


@transaction.atomic
def submission_reject(*, submission: Submission, reviewer: Any, note: str) -> None:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state == Submission.State.APPROVED:
        raise ValidationError(_("An approved submission cannot be rejected."))
    if not note.strip():
        raise ValidationError({"note": _("Say why it is rejected.")})
    locked._history_user = reviewer  # type: ignore[attr-defined]
    _mark(
        locked,
        Submission.State.REJECTED,
        review_note=note.strip(),
        reviewer=reviewer,
        reviewed_at=timezone.now(),
    )
    submission.refresh_from_db()
