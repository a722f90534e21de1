"""Writes: counting the uses of an entry, following it, telling its followers it changed."""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Resource, ResourceDailyCount, ResourceFollow
from catalog.search import outbox as search_outbox
from catalog.search.engine import RESOURCES
from grading import policy
from grading.models import Notice
from portal.cache import counters
from portal.clients import client_ip

# Which total column and which daily column each kind of use adds to.
KINDS = {
    "view": ("view_count", "views"),
    "download": ("download_count", "downloads"),
    "api": ("api_call_count", "api_calls"),
}
# Crawlers and monitors announce themselves; their page views are not a citizen's interest.
BOT_AGENT = re.compile(r"bot|crawl|spider|slurp|monitor|curl/|wget|python-requests", re.I)
REPEAT_SECONDS = 6 * 3600

log = logging.getLogger(__name__)


def usage_count(*, resource_id: int, kind: str, request=None) -> bool:
    """Add one use of ``kind`` ("view", "download", "api") to the entry, today and in all (two
    statements, see ``_count``). With ``request``, page
    views from self-declared robots and repeats by the same visitor within a few hours are
    not counted. Returns whether the use was counted."""
    if request is not None and kind == "view" and not _first_view(request, resource_id):
        return False
    try:
        return _count(resource_id, kind)
    except DatabaseError:
        # A count is not worth failing the page or the data for (a busy SQLite file, say).
        log.warning("use not counted: resource=%s kind=%s", resource_id, kind, exc_info=True)
        return False


def _count(resource_id: int, kind: str) -> bool:
    """Two statements whatever the day: the total with ``F()``, and today's row inserted or
    added to in one upsert (the same SQL on SQLite and PostgreSQL)."""
    total, daily = KINDS[kind]
    Resource.objects.filter(pk=resource_id).update(**{total: F(total) + 1})
    if kind == "download":  # the catalogue sorts by downloads: the engine's key follows
        search_outbox.record(RESOURCES, [resource_id])
    table = connection.ops.quote_name(ResourceDailyCount._meta.db_table)
    column = connection.ops.quote_name(daily)
    # 1 in the column of this use, 0 in the others, in the INSERT's column order.
    ones = {name: int(name == daily) for name in ("views", "downloads", "api_calls")}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (resource_id, day, views, downloads, api_calls) "
            "VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (resource_id, day) DO UPDATE SET {column} = {table}.{column} + 1",
            [
                resource_id,
                timezone.localdate(),
                ones["views"],
                ones["downloads"],
                ones["api_calls"],
            ],
        )
    return True


def _first_view(request, resource_id: int) -> bool:
    """Whether this is the visitor's first view of the entry for a while (and not a robot's)."""
    agent = request.headers.get("User-Agent", "")
    if not agent or BOT_AGENT.search(agent):
        return False
    visitor = request.session.session_key if hasattr(request, "session") else None
    visitor = visitor or f"{client_ip(request)}|{agent}"
    digest = hashlib.sha256(f"{resource_id}|{visitor}".encode()).hexdigest()[:32]
    return counters.add(f"usage:view:{digest}", 1, REPEAT_SECONDS)


def resource_follow(*, user, resource: Resource) -> ResourceFollow:
    """Follow ``resource`` for update notices (in the portal and by e-mail); following twice
    changes nothing."""
    if not policy.can_follow(user, resource):
        raise PermissionDenied(_("Log in to follow this entry."))
    follow, _created = ResourceFollow.objects.get_or_create(user=user, resource=resource)
    return follow


def resource_unfollow(*, user, resource: Resource) -> None:
    """Stop following ``resource``."""
    ResourceFollow.objects.filter(user=user, resource=resource).delete()


def followers_notify(*, resource: Resource, what: str) -> int:
    """Tell each follower who may still see ``resource`` that it changed (``what``: a short
    description such as a new file version); returns how many were told. Followers the policy
    no longer shows the entry to hear nothing, so a notice never reveals it."""
    told = 0
    follows = ResourceFollow.objects.filter(resource=resource).select_related("user")
    for follow in follows.order_by("pk"):
        if not policy.can_view(follow.user, resource):
            continue
        text = _("An entry you follow changed: %(title)s — %(what)s") % {
            "title": resource.title,
            "what": what,
        }
        _notice(follow.user, text, reverse("catalog:resource-detail", args=[resource.pk]))
        told += 1
    return told


def _notice(user, text: str, link: str) -> None:
    """An in-app notice, and the same by e-mail once the change is committed."""
    Notice.objects.create(user=user, text=text[:500], link=link)
    if not user.email:
        return
    body = f"{text}\n\n{settings.SITE_URL.rstrip('/')}{link}"
    subject = _("Public data portal: an entry you follow changed")
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=True))
