"""Writes for the showcase of applications built on open data (应用成果): submit, then move
along ``STEPS`` (platform administrators list or reject a submission, and may withdraw a
listed one). Every step is a compare-and-set of ``portal.transitions``, audited, and told to
the submitter; listing and withdrawing change what resource pages show, so they drop the
anonymous page cache once committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Resource
from catalog.validators import is_web_iri, text_errors
from grading import audit, policy
from grading.models import Showcase
from grading.services import notify
from portal.cache import catalog_changed
from portal.transitions import Step, advance

S = Showcase.Status

STEPS: dict[str, Step] = {
    "list": Step((S.SUBMITTED,), S.LISTED),
    "reject": Step((S.SUBMITTED,), S.REJECTED, needs_reason=True),
    "withdraw": Step((S.LISTED,), S.WITHDRAWN, needs_reason=True),
}

TITLE_MAX = 200
TEXT_MAX = 4000
URL_MAX = 500
SOURCES_MAX = 20
DUPLICATE_WINDOW = dt.timedelta(minutes=10)


class DuplicateShowcase(Exception):
    """The same showcase was just submitted by the same person."""


def showcase_errors(data: Mapping, sources: list[Resource]) -> dict[str, list[str]]:
    """What is wrong with a submission: title, description, a web address, 1 to 20 sources."""
    errors: dict[str, list[str]] = {}
    for name in ("title", "description"):
        if not str(data.get(name) or "").strip():
            errors[name] = [_("This field is required.")]
    for name, limit in (("title", TITLE_MAX), ("title_en", TITLE_MAX), ("description", TEXT_MAX)):
        if len(str(data.get(name) or "")) > limit:
            errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
    url = str(data.get("url") or "")
    if len(url) > URL_MAX or not is_web_iri(url):
        errors["url"] = [_("Enter a web address starting with http:// or https://.")]
    if not 1 <= len(sources) <= SOURCES_MAX:
        errors["sources"] = [_("Choose 1 to 20 open data resources the application uses.")]
    return errors | text_errors({n: data.get(n) for n in ("title", "title_en", "description")})


def _closed_sources(actor, sources: list[Resource]) -> dict[str, list[str]]:
    """An error when a source is not open data the caller may see (the policy decides)."""
    ids = {r.pk for r in sources}
    allowed = policy.showcase_sources(actor).filter(pk__in=ids).count()
    if ids and allowed != len(ids):
        return {"sources": [_("Only open data resources can be linked.")]}
    return {}


@transaction.atomic
def showcase_submit(*, actor, data: Mapping, sources: Iterable[Resource]) -> Showcase:
    """Submit an application built on open data for review: title (and English title),
    description, web address and the open entries it uses. Sources the caller may not link
    (not open, or not visible) are refused; the same title sent again within minutes is a
    double submission (DuplicateShowcase)."""
    if not policy.can_submit_showcase(actor):
        raise PermissionDenied(_("Log in to submit an application built on open data."))
    sources = list(sources)
    if errors := showcase_errors(data, sources) | _closed_sources(actor, sources):
        raise ValidationError(errors)
    title = data["title"].strip()
    since = timezone.now() - DUPLICATE_WINDOW
    if Showcase.objects.filter(submitter=actor, title=title, created_at__gte=since).exists():
        raise DuplicateShowcase
    showcase = Showcase.objects.create(
        title=title,
        title_en=str(data.get("title_en") or "").strip(),
        description=data["description"].strip(),
        url=data["url"],
        submitter=actor,
    )
    showcase.sources.set(sources)
    payload = {"sources": sorted(r.pk for r in sources), "url": showcase.url}
    audit.record(actor=actor, action="showcase.submit", obj=showcase, payload=payload)
    return showcase


def _reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("At most 4000 characters.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


@transaction.atomic
def showcase_review(*, actor, showcase: Showcase, action: str, reason: str = "") -> Showcase:
    """Carry out ``action`` (list, reject or withdraw; see ``STEPS``) on ``showcase``. Raises
    PermissionDenied unless the caller is a platform administrator, ValidationError for a
    missing reason, InvalidTransition from the wrong state (nothing written)."""
    step = STEPS.get(action)
    if step is None or not policy.can_review_showcase(actor, showcase):
        raise PermissionDenied(_("Only platform administrators review showcases."))
    reason = _reason(step, reason)
    changes: dict = {"reason": reason}
    if action == "list":
        changes["listed_at"] = timezone.now()
    advance(showcase, STEPS, action, **changes)
    payload = {"from_states": list(step.sources), "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"showcase.{action}", obj=showcase, payload=payload)
    if action in ("list", "withdraw"):
        transaction.on_commit(catalog_changed)
    text = _(_TO_SUBMITTER[action]) % {"title": showcase.title, "reason": reason}
    link = reverse("grading:showcase-detail", args=[showcase.pk])
    notify(user=showcase.submitter, text=text, link=link)
    return showcase


_TO_SUBMITTER = {
    "list": gettext_noop("Your showcase “%(title)s” is listed."),
    "reject": gettext_noop("Your showcase “%(title)s” was not listed: %(reason)s"),
    "withdraw": gettext_noop("Your showcase “%(title)s” was withdrawn: %(reason)s"),
}
