"""Permission labels for the search engine (as CKAN's ``permission_labels``).

The engine stores, with every entry, the labels that let a caller see it; a caller searches
with the labels it holds, and an entry matches when the two share one. The labels are the
rule-book's :func:`~grading.policy.resources.viewable_q` and
:func:`~grading.policy.products.product_viewable_q` written as sets, and
``tests/grading/policy/test_search_labels.py`` checks, for every kind of caller, that they give
the same visible set as those ``Q`` builders. The database still re-checks every page's ids with
the ``Q`` builders, so a stale index can narrow a result but never widen it.

Labels:

- ``public``: everyone may see it (published, a public tier within the grade's ceiling; for a
  product, listed);
- ``staff``: platform administrators and auditors may see it (every entry of a known tier);
- ``org:<id>``: members of the providing organization may see it (within the ceiling, any
  status);
- ``agreement:<id>``: operators under that agreement may see it (published, within the ceiling,
  in the agreement's scope). The caller holds the label only while the agreement is active, signed
  and inside its term, so suspending, revoking or expiring an agreement needs no reindexing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from grading.grades import CEILING, Tier
from grading.models import Agreement
from grading.policy.base import LISTED, PUBLIC_TIERS, PUBLISHED
from grading.policy.principal import principal

PUBLIC = "public"
STAFF = "staff"


def _org(org_id: int) -> str:
    return f"org:{org_id}"


def _agreement(agreement_id: int) -> str:
    return f"agreement:{agreement_id}"


def _within_ceiling(tier: str, grade: str, tiers: Iterable[str]) -> bool:
    return tier in tiers and tier in CEILING.get(grade, ())


def resource_is_public(*, status: str, tier: str, grade: str) -> bool:
    """Does the rule-book's :func:`~grading.policy.resources.public_q` hold for a resource with
    these values? (Published, of a public tier its grade's ceiling allows: everyone may see it.)
    The CKAN-compatible API calls such entries public and every other visible one private."""
    return status == PUBLISHED and _within_ceiling(tier, grade, PUBLIC_TIERS)


def resource_labels(
    *, status: str, tier: str, grade: str, provider_id: int, agreement_ids: Iterable[int] = ()
) -> list[str]:
    """The labels of one resource, from its row and the agreements whose scope holds it."""
    labels = []
    if resource_is_public(status=status, tier=tier, grade=grade):
        labels.append(PUBLIC)
    if tier in Tier.values:
        labels.append(STAFF)
    if _within_ceiling(tier, grade, Tier.values):
        labels.append(_org(provider_id))
        if status == PUBLISHED:
            labels.extend(_agreement(a) for a in sorted(set(agreement_ids)))
    return labels


def product_labels(*, status: str, provider_id: int) -> list[str]:
    """The labels of one product: listed ones are public; the provider's staff and platform
    staff see every state."""
    labels = [STAFF, _org(provider_id)]
    if status == LISTED:
        labels.append(PUBLIC)
    return labels


def resource_caller_labels(user) -> list[str]:
    """The labels ``user`` holds for resources (one query for an organization member: its
    agreements in force)."""
    p = principal(user)
    labels = [PUBLIC]
    if p.platform_staff:
        labels.append(STAFF)
    if p.org_ids:
        labels.extend(_org(o) for o in sorted(p.org_ids))
        now = timezone.now()
        agreements = Agreement.objects.filter(
            operator_id__in=p.org_ids,
            status=Agreement.Status.ACTIVE,
            valid_from__lte=now,
            valid_until__gt=now,
        ).values_list("pk", flat=True)
        labels.extend(_agreement(a) for a in sorted(agreements))
    return labels


def product_caller_labels(user) -> list[str]:
    """The labels ``user`` holds for products."""
    p = principal(user)
    labels = [PUBLIC]
    if p.platform_staff:
        labels.append(STAFF)
    labels.extend(_org(o) for o in sorted(p.org_ids))
    return labels
