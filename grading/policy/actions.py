"""One entry point per action, for callers that hold the action's name as data."""

from __future__ import annotations

from grading.policy.applications import can_revoke_grant
from grading.policy.products import can_review_product, can_view_product
from grading.policy.resources import (
    can_apply,
    can_download,
    can_edit,
    can_publish,
    can_query,
    can_view,
)
from grading.policy.workspace import can_return, can_submit, can_withdraw

# ---------------------------------------------------------------------------------------------
# One entry point per action, for callers that hold the action's name as data
# ---------------------------------------------------------------------------------------------

_PREDICATES = {
    "revoke_grant": can_revoke_grant,
    "view": can_view,
    "download": can_download,
    "query": can_query,
    "edit": can_edit,
    "publish": can_publish,
    "submit": can_submit,
    "return": can_return,
    "withdraw": can_withdraw,
    "apply": can_apply,
    "view_product": can_view_product,
    "review_product": can_review_product,
}


def allowed(user, action: str, obj) -> bool:
    """Generic form of the predicates; an unknown action is denied."""
    predicate = _PREDICATES.get(action)
    return bool(predicate and predicate(user, obj))
