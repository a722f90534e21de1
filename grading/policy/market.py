"""The market (供需对接): who may request a data product and follow or answer the request, and
who submits and reviews the showcase of applications built on open data (应用成果)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Resource
from grading.models import Showcase
from grading.policy.base import LISTED, _holds
from grading.policy.principal import principal
from grading.policy.resources import _open_q, viewable_q

# ---------------------------------------------------------------------------------------------
# Requests for data products
# ---------------------------------------------------------------------------------------------

PROVIDER_REQUEST_ACTIONS = frozenset({"quote", "accept", "refuse"})
REQUESTER_REQUEST_ACTIONS = frozenset({"accept_quote", "decline", "withdraw"})


def can_request_product(user, product) -> bool:
    """May ``user`` request (or enquire about) ``product``? Signed-in users, for a listed
    product, unless they are staff of its provider (who would be asking themselves)."""
    p = principal(user)
    if p.user_id is None or product is None or product.status != LISTED:
        return False
    return product.provider_id not in p.org_ids


def request_denial_message(user, product) -> str:
    """Why ``user`` may not request ``product``, and how to get there if they can."""
    if principal(user).user_id is None:
        return _("Log in or register to request this product or ask its provider about it.")
    if product is not None and product.status != LISTED:
        return _("Only listed products can be requested.")
    return _("Your organization provides this product; requests come from other users.")


def product_request_visible_q(user) -> Q:
    """Requests ``user`` may see: their own; those addressed to an organization they are staff
    of; all of them for platform staff."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    q = Q(requester_id=p.user_id)
    if p.org_ids:
        q |= Q(provider_id__in=p.org_ids)
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    return q


def can_view_product_request(user, product_request) -> bool:
    """May ``user`` see ``product_request``, its quote and its timeline?"""
    return _holds(product_request, product_request_visible_q(user))


def can_act_on_product_request(user, product_request, action: str) -> bool:
    """May ``user`` carry out ``action`` on ``product_request``? Staff of the provider quote,
    accept or refuse; the requester accepts or declines a quote, or withdraws. Unknown actions
    are denied."""
    p = principal(user)
    if p.user_id is None or product_request is None:
        return False
    if action in PROVIDER_REQUEST_ACTIONS:
        return product_request.provider_id in p.org_ids
    if action in REQUESTER_REQUEST_ACTIONS:
        return product_request.requester_id == p.user_id
    return False


def can_receive_product_requests(user) -> bool:
    """Does ``user`` answer requests for some organization's products (its staff)?"""
    return bool(principal(user).org_ids)


def requesting_organizations_q(user) -> Q:
    """Organizations ``user`` may name as the requester: those they are staff of."""
    p = principal(user)
    return Q(pk__in=sorted(p.org_ids)) if p.org_ids else Q(pk__in=[])


# ---------------------------------------------------------------------------------------------
# The showcase of applications built on open data
# ---------------------------------------------------------------------------------------------


def showcase_visible_q(user) -> Q:
    """Showcases ``user`` may see: listed ones for everyone; their own submissions; every one
    for platform staff."""
    p = principal(user)
    q = Q(status=Showcase.Status.LISTED)
    if p.user_id is not None:
        q |= Q(submitter_id=p.user_id)
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    return q


def can_view_showcase(user, showcase) -> bool:
    """May ``user`` see ``showcase``?"""
    return _holds(showcase, showcase_visible_q(user))


def can_submit_showcase(user) -> bool:
    """May ``user`` submit an application built on open data? Anyone signed in."""
    return principal(user).user_id is not None


def can_review_showcase(user, showcase=None) -> bool:
    """May ``user`` list, reject or withdraw showcases? Platform administrators."""
    return principal(user).platform_admin


def showcase_sources_q(user) -> Q:
    """Entries ``user`` may link a showcase to: published open data they may see."""
    return viewable_q(user) & _open_q()


def showcase_sources(user) -> QuerySet:
    """Queryset form of :func:`showcase_sources_q`."""
    return Resource.objects.filter(showcase_sources_q(user))


def can_link_showcase_source(user, resource) -> bool:
    """May ``user`` name ``resource`` as a source of a showcase?"""
    return _holds(resource, showcase_sources_q(user))
