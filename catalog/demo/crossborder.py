"""Cross-border data flow: the platform clears categories (and entries) for scenarios, the
enterprises assess their planned transfers and file those that need filing, with a PDF of
evidence; the platform acknowledges or returns the filings."""

from __future__ import annotations

from catalog.models import Resource
from grading.crossborder.services import (
    assessment_create,
    clearance_mark,
    filing_act,
    filing_create,
)
from grading.models import CrossBorderAssessment

from . import actors, evidence

MEASURES = "传输加密，接收方以合同约束用途和存储期限，访问日志留存三年。"


def make(spec: dict) -> list[CrossBorderAssessment]:
    """Clear the general list, then assess (and file) every planned transfer of ``spec``."""
    admin = actors.platform_admin()
    for scenario, category, conditions, *entry in spec["clearances"]:
        resource = Resource.objects.get(code=entry[0]) if entry else None
        clearance_mark(
            actor=admin,
            scenario=scenario,
            category=category,
            conditions=conditions,
            resource=resource,
        )
    return [_assess(row, admin) for row in spec["assessments"]]


def _assess(row: dict, admin) -> CrossBorderAssessment:
    enterprise = actors.organization(row["enterprise"])
    staff = actors.staff_of(enterprise)
    data = {key: row[key] for key in ("scenario", "categories", "record_count", "recipient")}
    data |= {"recipient_country": row["recipient_country"], "purpose": row["purpose"]}
    data |= {"security_measures": MEASURES}
    assessment = assessment_create(actor=staff, enterprise=enterprise, data=data)
    if row["filing"] is None:
        return assessment
    proof = evidence.pdf(f"{enterprise.code}-transfer.pdf", f"Transfer contract {enterprise.code}")
    plan = f"{row['purpose']}接收方：{row['recipient']}；约{row['record_count']}条记录。"
    filing = filing_create(actor=staff, assessment=assessment, transfer_plan=plan, evidence=proof)
    action, *reason = row["filing"]
    if action != "submitted":
        filing_act(actor=admin, filing=filing, action=action, reason=reason[0] if reason else "")
    return assessment
