"""The grading app's models, one module per concern; import them from ``grading.models``.

These rows are facts the rule-book reads; ``grading.policy`` alone turns them into decisions.
"""

from grading.models.access import Application, Grant, Membership, Notice, PlatformRole
from grading.models.accounts import APIKey, ConfirmedEmail
from grading.models.audit import AuditEvent, AuditQuerySet
from grading.models.crossborder import (
    CrossBorderAssessment,
    CrossBorderClearance,
    CrossBorderFiling,
)
from grading.models.feedback import Feedback
from grading.models.market import ProductRequest, Showcase
from grading.models.merchants import DataMerchant, MerchantCategory, MerchantCategoryChoice
from grading.models.operation import (
    Agreement,
    AgreementEvaluation,
    AgreementUsage,
    OperationApplication,
    OperationScopePart,
)

__all__ = [
    "APIKey",
    "Agreement",
    "AgreementEvaluation",
    "AgreementUsage",
    "Application",
    "AuditEvent",
    "AuditQuerySet",
    "ConfirmedEmail",
    "CrossBorderAssessment",
    "CrossBorderClearance",
    "CrossBorderFiling",
    "DataMerchant",
    "Feedback",
    "Grant",
    "Membership",
    "MerchantCategory",
    "MerchantCategoryChoice",
    "Notice",
    "OperationApplication",
    "OperationScopePart",
    "PlatformRole",
    "ProductRequest",
    "Showcase",
]
