"""The demo's workflows are made through the services: every step is on the audit chain, the
chain verifies, every state of each workflow appears, and loading twice changes nothing."""

import json
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Organization, Product, ProductPrice, Resource
from grading import audit, policy
from grading.models import (
    Agreement,
    Application,
    AuditEvent,
    CrossBorderAssessment,
    CrossBorderClearance,
    CrossBorderFiling,
    DataMerchant,
    Feedback,
    Grant,
    MerchantCategory,
    OperationApplication,
    OperationScopePart,
    ProductRequest,
    Showcase,
)
from tests.demo_data import demo_loaded  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
WORKFLOWS = json.loads((FIXTURES / "demo_workflows.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo(demo_loaded, db):  # noqa: F811
    """The demo data, loaded once for this module (see ``tests.demo_data``)."""


def _rows(obj, prefix: str) -> list[str]:
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    rows = events.filter(action__startswith=prefix).order_by("seq")
    return list(rows.values_list("action", flat=True))


def test_fixture_holds_base_facts_only():
    rows = json.loads((FIXTURES / "demo.json").read_text("utf-8"))
    workflow_rows = {"catalog.product", "grading.grant", "grading.agreement"}
    workflow_rows |= {"grading.application", "grading.auditevent", "grading.operationapplication"}
    workflow_rows |= {"grading.datamerchant", "grading.productrequest", "grading.showcase"}
    workflow_rows |= {"grading.feedback", "grading.crossborderfiling", "catalog.productprice"}
    assert not {row["model"] for row in rows} & workflow_rows
    for row in rows:
        if row["model"] == "catalog.resource":
            assert row["fields"]["status"] == "draft"
        if row["model"] == "catalog.organization":
            assert row["fields"]["verified_at"] is None


def test_publication__every_entry_submitted_published_or_withdrawn_on_the_chain(demo):
    specs = {spec["code"]: spec for spec in WORKFLOWS["resources"]}
    assert len(specs) == 63
    for resource in Resource.objects.all():
        spec = specs.get(resource.code, {"status": "draft"})
        assert resource.status == spec["status"]
        steps = {"draft": [], "published": ["resource.submit", "resource.publish"]}
        steps["withdrawn"] = [*steps["published"], "resource.withdraw"]
        # The agencies' editors then put some on the high-value list.
        flagged = ["resource.high_value"] if resource.code in WORKFLOWS["high_value"] else []
        assert _rows(resource, "resource.") == steps[spec["status"]] + flagged


def test_enterprises__verified_by_the_platform_administrator(demo):
    for code in WORKFLOWS["enterprises"]:
        organization = Organization.objects.get(code=code)
        assert organization.verified_by.username == "admin"
        assert _rows(organization, "enterprise.") == ["enterprise.verify"]


def test_audit_verify__passes_over_every_demo_step(demo):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
    assert AuditEvent.objects.count() >= 360


def test_every_application_step_is_an_audit_row(demo):
    applications = Application.objects.order_by("pk")
    assert applications.count() == len(WORKFLOWS["applications"])
    for application, spec in zip(applications, WORKFLOWS["applications"], strict=True):
        steps = [f"application.{action}" for action, _reason in spec["steps"]]
        assert _rows(application, "application.") == ["application.create", *steps]


PRODUCT_STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "compliance_review": ["submit", "start"],
    "listed": ["submit", "start", "list"],
    "rejected": ["submit", "start", "reject"],
    "delisted": ["submit", "start", "list", "delist"],
}


# What the market steps after registration add to a product's rows: a price change, and the
# suspension (a complaint upheld) and reinstatement (the complaint resolved) of its listing.
COMPLAINT_STEPS = {"uphold": "product.suspend", "resolve": "product.reinstate"}


def _market_steps(code: str) -> tuple[list[str], str | None]:
    """The product rows the market workflows add to ``code``, and the state they leave."""
    steps, state = [], None
    steps += ["product.price" for spec in WORKFLOWS["prices"] if spec["product"] == code]
    for spec in WORKFLOWS["complaints"]:
        if spec["product"] == code:
            steps += [COMPLAINT_STEPS[action] for action, _text in spec["steps"]]
            state = "suspended" if steps[-1] == "product.suspend" else "listed"
    return steps, state


def test_every_product_step_is_an_audit_row(demo):
    assert Product.objects.count() == len(WORKFLOWS["products"])
    for spec in WORKFLOWS["products"]:
        product = Product.objects.get(code=spec["code"])
        extra, state = _market_steps(spec["code"])
        assert product.status == (state or spec["status"])
        steps = [f"product.{action}" for action in PRODUCT_STEPS[spec["status"]]]
        # The first save records the price at registration in the price history.
        assert _rows(product, "product.") == ["product.save", "product.price", *steps, *extra]


def test_listed_products__evidence_hash_is_their_product_list_row(demo):
    listed = Product.objects.filter(status__in=["listed", "suspended", "delisted"])
    assert listed.count() == 75
    for product in listed:
        row = AuditEvent.objects.get(
            action="product.list", object_type="catalog.product", object_id=str(product.pk)
        )
        assert product.evidence_hash == row.hash
        assert product.registration_code


def test_every_application_state_appears(demo):
    states = Counter(Application.objects.values_list("status", flat=True))
    assert set(states) == set(Application.Status.values)


def test_every_product_state_appears_and_the_seed_products_are_listed(demo):
    states = Counter(Product.objects.values_list("status", flat=True))
    assert set(states) == {
        "draft",
        "compliance_review",
        "listed",
        "suspended",
        "rejected",
        "delisted",
    }
    assert states["listed"] == 73 and states["suspended"] == 1
    geodata = Product.objects.filter(provider__code="geo-tech")
    assert geodata.count() == 68
    assert set(geodata.values_list("status", flat=True)) == {"listed", "suspended"}


def test_grants__enterprise_and_citizen_use_what_they_were_granted(demo):
    user = get_user_model().objects.get
    enterprise, citizen = user(username="enterprise"), user(username="citizen")
    for code in ["310000-GAJ-0002", "310000-SCJGJ-0001", "310000-ZHG-0003"]:
        resource = Resource.objects.get(code=code)
        assert policy.can_download(enterprise, resource) and policy.can_query(enterprise, resource)
        assert not policy.can_download(citizen, resource)
    soil = Resource.objects.get(code="310000-STHJ-0005")
    assert policy.can_download(citizen, soil)
    assert Grant.objects.filter(status="active").count() == 4
    for grant in Grant.objects.all():
        assert _rows(grant, "grant.") == ["grant.issue"]


def test_agreements__operators_cite_only_what_theirs_cover(demo):
    merchant_only = 0
    for product in Product.objects.filter(status="listed"):
        sources = list(product.source_resources.all())
        assert sources and not policy.uncovered_sources(product.provider, sources)
        if policy.covering_agreement(product.provider, sources) is None:
            # Open sources cited by a verified data merchant need no agreement; the others do.
            assert product.provider.merchant.status == "verified"
            closed = [r for r in sources if r.tier != "open"]
            assert not closed or policy.covering_agreement(product.provider, closed)
            merchant_only += 1
    assert merchant_only > 0
    geo = Agreement.objects.get(operator__code="geo-tech", application__isnull=True)
    assert set(geo.resources.values_list("tier", flat=True)) == {"conditional"}
    for agreement in Agreement.objects.filter(application__isnull=True):
        assert _rows(agreement, "agreement.") == ["agreement.create"]


def test_operation__every_application_state_appears(demo):
    states = set(OperationApplication.objects.values_list("status", flat=True))
    assert states == set(OperationApplication.Status.values)
    checked = OperationApplication.objects.get(status="checked")
    parts = set(checked.parts.values_list("status", flat=True))
    assert parts == {OperationScopePart.Status.PENDING, OperationScopePart.Status.NEED_INFO}


def test_operation__operator_agreement_applied_for_approved_by_every_agency_and_signed(demo):
    agreement = Agreement.objects.get(
        operator__code="operator", status="active", application__isnull=False
    )
    application = agreement.application
    parts = application.parts.select_related("agency")
    scope_agencies = set(agreement.resources.values_list("provider__code", flat=True))
    assert {part.agency.code for part in parts} == scope_agencies and len(scope_agencies) > 1
    for part in parts:
        assert part.status == "approved"
        assert part.decided_by.memberships.filter(organization=part.agency, role="reviewer")
    assert agreement.signed_at and agreement.signed_by.memberships.filter(
        organization__code="operator"
    )
    steps = ["operation.create", "operation.submit", "operation.check"]
    steps += ["operation.part.approve"] * len(scope_agencies) + [
        "operation.decide",
        "operation.issue",
    ]
    assert _rows(application, "operation.") == steps
    assert _rows(agreement, "agreement.") == ["agreement.issue", "agreement.sign"]


def test_operation__expired_suspended_and_awaiting_signature(demo):
    expired = Agreement.objects.get(status="expired")
    assert expired.operator.code == "operator" and expired.signed_at
    assert _rows(expired, "agreement.") == ["agreement.issue", "agreement.sign", "agreement.expire"]
    suspended = Agreement.objects.get(status="suspended")
    assert suspended.status_reason
    assert _rows(suspended, "agreement.")[-1] == "agreement.suspend"
    waiting = Agreement.objects.get(status="issued")
    assert waiting.signed_at is None
    assert _rows(waiting, "agreement.") == ["agreement.issue"]


def test_every_product_has_an_english_description():
    for spec in WORKFLOWS["products"]:
        assert spec["name_en"] and len(spec["description_en"]) >= 40, spec["name"]


def _snapshot() -> dict:
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    return {"counts": counts, "head": audit.head()}


def test_load_demo_twice__changes_nothing(demo):
    before = _snapshot()
    out = StringIO()
    call_command("load_demo", verbosity=0, stdout=out)
    assert "nothing loaded again" in out.getvalue()
    assert _snapshot() == before
    call_command("audit_verify", stdout=StringIO())


def test_operator__queries_restricted_entries_in_its_signed_agreement(demo):
    operator = get_user_model().objects.get(username="operator")
    agreement = Agreement.objects.get(
        operator__code="operator", status="active", signed_at__isnull=False
    )
    restricted = agreement.resources.filter(tier="restricted")
    assert restricted.count() >= 6
    for resource in restricted:
        assert policy.can_view(operator, resource) and policy.can_query(operator, resource)
        assert not policy.can_download(operator, resource)
    outside = Resource.objects.filter(tier="restricted", status="published").exclude(
        agreements__operator__code="operator"
    )
    assert outside and not any(policy.can_query(operator, r) for r in outside)


def test_merchants__every_category_and_state_through_the_platform(demo):
    merchants = DataMerchant.objects.select_related("organization")
    states = {m.organization.code: m.status for m in merchants}
    assert states == {
        "geo-tech": "verified",
        "hengxin": "verified",
        "haiyun": "suspended",
        "operator": "returned",
        "enterprise": "applied",
    }
    categories = set(merchants.values_list("categories__category", flat=True))
    assert categories == set(MerchantCategory.values)
    for merchant in merchants:
        assert merchant.evidence.read(5) == b"%PDF-"
        steps = [f"merchant.{action}" for action, _reason in _spec(merchant)["steps"]]
        assert _rows(merchant, "merchant.") == ["merchant.register", *steps]
        assert (merchant.status in ("returned", "suspended")) == bool(merchant.reason)
    geo = DataMerchant.objects.get(organization__code="geo-tech")
    assert set(geo.categories.values_list("category", flat=True)) == {
        "data_resource",
        "technology",
    }


def _spec(merchant) -> dict:
    code = merchant.organization.code
    return next(spec for spec in WORKFLOWS["merchants"] if spec["organization"] == code)


def test_price_change__history_holds_both_prices(demo):
    for spec in WORKFLOWS["prices"]:
        product = Product.objects.get(code=spec["product"])
        history = list(ProductPrice.objects.filter(product=product).order_by("changed_at", "pk"))
        assert len(history) == 2
        assert history[-1].price == product.price == Decimal(spec["price"])
        assert history[-1].reason == spec["reason"] and history[0].price != product.price
        assert product.pricing_method == spec["method"]


def test_product_requests__every_state_appears(demo):
    requests = ProductRequest.objects.order_by("pk")
    assert requests.count() == len(WORKFLOWS["requests"])
    assert set(requests.values_list("status", flat=True)) == set(ProductRequest.Status.values)
    for product_request, spec in zip(requests, WORKFLOWS["requests"], strict=True):
        assert product_request.requester.username == spec["requester"]
        assert product_request.provider_id == product_request.product.provider_id
        assert not product_request.requester.memberships.filter(
            organization_id=product_request.provider_id
        )
        steps = [f"product_request.{action}" for action, _arg in spec["steps"]]
        assert _rows(product_request, "product_request.") == ["product_request.create", *steps]
    refused = requests.get(status="refused")
    assert refused.reason
    assert requests.get(status="accepted_by_requester").quote_amount > 0


def test_showcases__listed_awaiting_review_and_rejected(demo):
    states = Counter(Showcase.objects.values_list("status", flat=True))
    assert states == {"listed": 2, "submitted": 1, "rejected": 1}
    for showcase in Showcase.objects.all():
        assert set(showcase.sources.values_list("tier", flat=True)) == {"open"}
    assert Showcase.objects.get(status="rejected").reason


def test_product_complaints__upheld_suspends_resolved_reinstates(demo):
    upheld = Feedback.objects.get(product__isnull=False, status="upheld")
    assert upheld.product.status == "suspended" and upheld.product.status_reason
    resolved = Feedback.objects.get(product__isnull=False, status="resolved")
    assert resolved.product.status == "listed"
    assert _rows(resolved.product, "product.")[-2:] == ["product.suspend", "product.reinstate"]


def test_crossborder__clearances_assessments_of_each_result_and_filings(demo):
    clearances = CrossBorderClearance.objects.filter(status="active")
    assert clearances.count() == len(WORKFLOWS["crossborder"]["clearances"])
    assert len(set(clearances.values_list("scenario", flat=True))) >= 3
    assert clearances.filter(resource__isnull=False).count() == 2
    results = set(CrossBorderAssessment.objects.values_list("result", flat=True))
    assert results == set(CrossBorderAssessment.Result.values)
    filings = {f.status: f for f in CrossBorderFiling.objects.all()}
    assert set(filings) == {"submitted", "acknowledged", "returned"}
    for filing in filings.values():
        assert filing.receipt_number.startswith("XB") and filing.evidence_sha256
        assert filing.assessment.result == "filing"
    assert filings["returned"].reason and filings["acknowledged"].decided_at


def test_products__every_demo_product_has_an_english_description(demo):
    missing = Product.objects.filter(description_en="").values_list("code", flat=True)
    assert Product.objects.count() == 78 and list(missing) == []
