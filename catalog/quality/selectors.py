"""Reads for agency publishing: the quality dashboard, the high-value list, the resource map."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from catalog.models import (
    Organization,
    Resource,
    Theme,
)
from catalog.search import catalogue as search
from grading import policy

# ---------------------------------------------------------------------------------------------
# Agency publishing: quality dashboard, high-value list, resource map
# ---------------------------------------------------------------------------------------------


@dataclass
class AgencyQuality:
    """One agency's line on the quality dashboard."""

    organization: Organization
    total: int = 0
    overdue: int = 0
    average: float | None = None


def dashboard_organizations(*, user) -> QuerySet:
    """Agencies whose figures ``user`` may follow on the quality dashboard."""
    return Organization.objects.filter(policy.dashboard_organizations_q(user)).order_by("code")


def agency_quality(*, user, organizations: list[Organization], today: dt.date) -> list:
    """Per agency of ``organizations``: entries, overdue entries and the average quality
    score, over the entries the dashboard shows ``user`` (one grouped query)."""
    figures = {
        row["provider_id"]: row
        for row in Resource.objects.filter(policy.dashboard_resources_q(user))
        .filter(provider__in=[o.pk for o in organizations])
        .order_by()
        .values("provider_id")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(update_due__lt=today)),
            average=Avg("quality_score"),
        )
    }
    lines = []
    for organization in organizations:
        row = figures.get(organization.pk, {})
        lines.append(
            AgencyQuality(
                organization, row.get("total", 0), row.get("overdue", 0), row.get("average")
            )
        )
    return lines


def overdue_resources(*, user, organizations: list[Organization], today: dt.date) -> QuerySet:
    """Entries of ``organizations`` on ``user``'s dashboard whose next update is past due,
    the longest overdue first."""
    return (
        Resource.objects.filter(policy.dashboard_resources_q(user))
        .filter(provider__in=[o.pk for o in organizations], update_due__lt=today)
        .select_related("provider", "theme")
        .order_by("update_due", "id")
    )


def high_value_count(*, user) -> int:
    """How many high-value entries ``user`` may see (the search engine counts them)."""
    return search.count_resources(user=user, data={"high_value": True})


def high_value_resources(*, user) -> QuerySet:
    """High-value entries ``user`` may see, by theme (in the themes' order), then title."""
    return (
        policy.viewable(user)
        .filter(high_value=True)
        .select_related("provider", "theme")
        .order_by("theme__position", "theme__code", "title", "id")
    )


@dataclass
class ResourceMap:
    """Counts of visible entries per top-level theme (rows) and agency (columns)."""

    themes: list[Theme]
    providers: list[Organization]
    counts: dict[tuple[int, int], int]

    @property
    def largest(self) -> int:
        return max(self.counts.values(), default=0)


def resource_map(*, user) -> ResourceMap:
    """The resource map: entries ``user`` may see, counted per top-level theme (sub-themes
    count with their parent, as the catalogue's theme filter does) and provider by the search
    engine (one aggregation); only themes and providers with a visible entry appear."""
    counts = search.grouped_counts(user=user, outer="theme_top", inner="provider")
    theme_ids = {t for t, _p in counts}
    provider_ids = {p for _t, p in counts}
    themes = list(Theme.objects.filter(pk__in=theme_ids).order_by("position", "code"))
    providers = list(Organization.objects.filter(pk__in=provider_ids).order_by("code"))
    return ResourceMap(themes, providers, counts)
