"""Data merchant registration (数商登记): an enterprise's staff register it with categories and
evidence; platform administrators verify, return, suspend, reinstate and revoke, audited."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Organization, Product
from grading.models import AuditEvent, DataMerchant, Notice
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/merchants/"


def _pdf(name="licence.pdf", data=f.PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _form(world, **extra):
    data = {
        "organization": world.enterprise.pk,
        "categories": ["data_resource", "quality"],
        "description": "上海示例数据科技有限公司",
        "services": "数据质量评估服务",
        "contact_name": "李明",
        "contact_email": "li@qiye.example.cn",
        "contact_phone": "021-12345678",
        "evidence": _pdf(),
    }
    return {**data, **extra}


def test_register__page_stores_the_registration_with_its_evidence(client, world):
    client.force_login(world.users["grantee"])
    response = client.post(reverse("merchants:register"), _form(world))
    assert response.status_code == 302 and response["Location"] == reverse("merchants:mine")
    merchant = DataMerchant.objects.get(organization=world.enterprise)
    assert merchant.status == "applied"
    assert sorted(c.category for c in merchant.categories.all()) == ["data_resource", "quality"]
    assert merchant.evidence.read() == f.PDF_BYTES
    assert AuditEvent.objects.filter(action="merchant.register").exists()
    page = client.get(reverse("merchants:mine")).content.decode()
    assert "Awaiting verification" in page or "待" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": []}, "categories"),
        ({"categories": ["bogus"]}, "categories"),
        ({"description": ""}, "description"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"evidence": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}, "evidence"),
        ({"evidence": SimpleUploadedFile("x.exe", f.PDF_BYTES)}, "evidence"),
        ({"evidence": ""}, "evidence"),
    ],
)
def test_register__bad_input_is_400_and_writes_nothing(client, world, change, field):
    client.force_login(world.users["grantee"])
    data = _form(world, **change)
    if data["evidence"] == "":
        del data["evidence"]
    response = client.post(reverse("merchants:register"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not DataMerchant.objects.exists()
    assert not AuditEvent.objects.filter(action="merchant.register").exists()


def test_register__evidence_over_the_size_limit_is_refused(client, world, settings):
    settings.FEEDBACK_EVIDENCE_MAX_BYTES = 10
    client.force_login(world.users["grantee"])
    response = client.post(reverse("merchants:register"), _form(world))
    assert response.status_code == 400 and "evidence" in response.context["form"].errors
    assert not DataMerchant.objects.exists()


@pytest.mark.parametrize("kind", ["citizen", "agency_staff", "platform_admin"])
def test_register__only_staff_of_a_verified_enterprise(client, world, kind):
    client.force_login(world.users[kind])
    assert client.get(reverse("merchants:register")).status_code == 403
    assert client.post(reverse("merchants:register"), _form(world)).status_code == 403
    assert not DataMerchant.objects.exists()


def test_register__an_unverified_enterprise_cannot_register(client, world):
    pending = f.OrganizationFactory(code="pending", kind=Organization.Kind.ENTERPRISE)
    user = f.UserFactory()
    f.membership(user, pending, "admin")
    client.force_login(user)
    assert client.get(reverse("merchants:register")).status_code == 403
    response = client.post(
        API,
        {**_form(world, organization="pending", evidence=_pdf())},
        format="multipart",
    )
    assert response.status_code == 403
    assert not DataMerchant.objects.exists()


def test_register__api_creates_and_a_second_registration_is_409(client, world):
    client.force_login(world.users["grantee"])
    created = client.post(API, _form(world, organization="enterprise"))
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "applied"
    again = client.post(API, _form(world, organization="enterprise"))
    assert again.status_code == 409 and again.json()["current_state"] == "applied"
    assert DataMerchant.objects.count() == 1


def test_register__api_bad_input_writes_nothing(client, world):
    client.force_login(world.users["grantee"])
    for change in ({"categories": "bogus"}, {"organization": "nobody"}, {"evidence": ""}):
        data = _form(world, **{"organization": "enterprise", **change})
        if data["evidence"] == "":
            del data["evidence"]
        assert client.post(API, data).status_code == 400
    assert not DataMerchant.objects.exists()


def test_register__anonymous_is_refused(client, world):
    assert client.post(API, _form(world, organization="enterprise")).status_code in (401, 403)


def _act(client, user, merchant, **data):
    client.force_login(user)
    url = f"{API}{merchant.organization.code}/transition/"
    return client.post(url, data, content_type="application/json")


def test_decisions__verify_suspend_reinstate_revoke_audited_and_told(
    client, world, django_capture_on_commit_callbacks
):
    merchant = f.merchant(world.enterprise, status="applied")
    admin = world.users["platform_admin"]
    verified = _act(client, admin, merchant, action="verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    merchant.refresh_from_db()
    assert merchant.verified_by == admin and merchant.verified_at is not None
    assert _act(client, admin, merchant, action="suspend").status_code == 400  # no reason
    assert _act(client, admin, merchant, action="suspend", reason="投诉调查").json()["status"] == (
        "suspended"
    )
    assert _act(client, admin, merchant, action="reinstate").json()["status"] == "verified"
    with django_capture_on_commit_callbacks(execute=True):
        revoked = _act(client, admin, merchant, action="revoke", reason="资质失效")
    assert revoked.json()["status"] == "revoked"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"merchant.verify", "merchant.suspend", "merchant.reinstate", "merchant.revoke"} <= (
        actions
    )
    staff = world.users["grantee"]
    assert Notice.objects.filter(user=staff).count() == 4
    assert any("资质失效" in message.body for message in mail.outbox)


def test_decisions__wrong_state_is_409_and_writes_nothing(client, world):
    merchant = f.merchant(world.enterprise, status="applied")
    response = _act(client, world.users["platform_admin"], merchant, action="reinstate")
    assert response.status_code == 409 and response.json()["current_state"] == "applied"
    merchant.refresh_from_db()
    assert merchant.status == "applied"
    page = client.post(
        reverse("merchants:act", args=["enterprise"]), {"action": "suspend", "reason": "x"}
    )
    assert page.status_code == 409


@pytest.mark.parametrize("kind", ["grantee", "auditor", "agency_staff"])
def test_decisions__only_platform_admins(client, world, kind):
    merchant = f.merchant(world.enterprise, status="applied")
    response = _act(client, world.users[kind], merchant, action="verify")
    assert response.status_code in (403, 404)
    merchant.refresh_from_db()
    assert merchant.status == "applied"


def test_decisions__return_then_resubmit(client, world):
    merchant = f.merchant(world.enterprise, status="applied")
    _act(client, world.users["platform_admin"], merchant, action="return", reason="缺少资质证明")
    merchant.refresh_from_db()
    assert merchant.status == "returned" and merchant.reason == "缺少资质证明"
    client.force_login(world.users["grantee"])
    data = _form(world, services="新的服务说明")
    del data["evidence"]  # the evidence on file is kept
    assert client.post(reverse("merchants:register"), data).status_code == 302
    merchant.refresh_from_db()
    assert (merchant.status, merchant.services, merchant.reason) == ("applied", "新的服务说明", "")
    assert merchant.evidence.name


def test_decisions__page_form_verifies(client, world):
    f.merchant(world.enterprise, status="applied")
    client.force_login(world.users["platform_admin"])
    queue = client.get(reverse("merchants:queue")).content.decode()
    assert reverse("merchants:detail", args=["enterprise"]) in queue
    response = client.post(reverse("merchants:act", args=["enterprise"]), {"action": "verify"})
    assert response.status_code == 302
    assert DataMerchant.objects.get().status == "verified"
    assert client.post(reverse("merchants:act", args=["enterprise"]), {}).status_code == 400


def test_queue__platform_staff_only(client, world):
    client.force_login(world.users["grantee"])
    assert client.get(reverse("merchants:queue")).status_code == 403
    client.force_login(world.users["auditor"])
    assert client.get(reverse("merchants:queue")).status_code == 200
    assert client.get(reverse("merchants:queue"), {"status": "bogus"}).status_code == 400


def test_revoking_delists_the_products_of_a_merchant_without_agreement(client, world):
    merchant = f.merchant(world.enterprise)
    product = f.ProductFactory(provider=world.enterprise)
    _act(client, world.users["platform_admin"], merchant, action="revoke", reason="违规经营")
    product.refresh_from_db()
    assert product.status == Product.Status.DELISTED and "违规经营" in product.status_reason
    assert AuditEvent.objects.filter(action="product.delist", object_id=str(product.pk)).exists()
    client.logout()
    assert client.get(f"/products/{product.pk}/").status_code == 404


def test_suspending_keeps_listings_but_stops_new_submissions(client, world, make_resource):
    merchant = f.merchant(world.enterprise)
    listed = f.ProductFactory(provider=world.enterprise)
    _act(client, world.users["platform_admin"], merchant, action="suspend", reason="调查中")
    listed.refresh_from_db()
    assert listed.status == Product.Status.LISTED
    client.force_login(world.users["grantee"])
    body = {
        "provider": "enterprise",
        "code": "new-one",
        "name": "新产品",
        "product_type": "report",
        "source_resources": [make_resource("open_L1").pk],
        "delivery": "file",
        "update_frequency": "monthly",
        "purpose": "public_interest",
    }
    response = client.post("/api/v1/products/", body, content_type="application/json")
    assert response.status_code == 403 and "data merchant" in response.json()["detail"]


# -- evidence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("grantee", 200),
        ("platform_admin", 200),
        ("auditor", 200),
        ("citizen", 404),
        ("operator", 404),
        ("agency_staff", 404),
    ],
)
def test_evidence__merchant_staff_and_platform_only(client, world, kind, status):
    f.merchant(world.enterprise)
    client.force_login(world.users[kind])
    response = client.get(reverse("merchants:evidence", args=["enterprise"]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == f.PDF_BYTES
        assert AuditEvent.objects.filter(action="merchant.evidence").exists()


def test_evidence__anonymous_is_sent_to_log_in(client, world):
    f.merchant(world.enterprise)
    response = client.get(reverse("merchants:evidence", args=["enterprise"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
