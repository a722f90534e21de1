"""Template helpers of the market pages: the request box on a product page and the showcases
on a resource page. Both ask the policy and the selectors; templates only show the answers."""

from django import template

from grading import policy
from grading.showcase import selectors as showcase_selectors

register = template.Library()


@register.inclusion_tag("grading/market/_product_request_box.html", takes_context=True)
def product_request_box(context, product) -> dict:
    """ "Request use / enquire" for those the policy allows; for others, how to get there."""
    user = context["request"].user
    allowed = policy.can_request_product(user, product)
    return {
        "product": product,
        "can_request": allowed,
        "signed_in": user.is_authenticated,
        "message": "" if allowed else policy.request_denial_message(user, product),
    }


@register.inclusion_tag("grading/market/_resource_showcases.html", takes_context=True)
def resource_showcases(context, resource) -> dict:
    """Listed applications built on ``resource``, and a link to add one where it may be
    linked (open data)."""
    return {
        "resource": resource,
        "showcases": showcase_selectors.showcases_for_resource(resource=resource),
        "linkable": policy.can_link_showcase_source(context["request"].user, resource),
    }
