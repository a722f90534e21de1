# ruff: noqa: F811
"""Complaints about data products: filed by signed-in users, answered by the provider's staff and
platform administrators; an upheld complaint suspends the listing until it is resolved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product
from grading.models import AuditEvent, Feedback, Notice
from tests import factories as f

# The fixtures below make these tests read the English texts (pytest passes them by name).
from tests.english import client, english  # noqa: F401, F811

pytestmark = pytest.mark.django_db

API = "/api/v1/feedback/"


@pytest.fixture
def product(world):
    f.merchant(world.enterprise)
    return f.ProductFactory(provider=world.enterprise, name="遥感影像服务")


def _complain(client, user, product, **extra):
    client.force_login(user)
    data = {"title": "数据来源不明", "text": "产品说明与实际不符", **extra}
    return client.post(reverse("grading:feedback-product-complaint", args=[product.pk]), data)


def _act(client, user, item, action, text="处理意见"):
    client.force_login(user)
    body = {"action": action, "text": text}
    return client.post(f"{API}{item.pk}/transition/", body, content_type="application/json")


def test_complaint__filed_with_evidence_and_addressed_to_the_provider(client, world, product):
    evidence = SimpleUploadedFile("proof.pdf", f.PDF_BYTES)
    response = _complain(client, world.users["citizen"], product, evidence=evidence)
    item = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/feedback/{item.pk}/"
    assert (item.kind, item.product, item.agency, item.resource) == (
        "complaint",
        product,
        world.enterprise,
        None,
    )
    page = client.get(f"/feedback/{item.pk}/").content.decode()
    assert "遥感影像服务" in page


def test_complaint__anonymous_is_sent_to_log_in(client, product):
    url = reverse("grading:feedback-product-complaint", args=[product.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url, {"title": "x", "text": "y"}).status_code == 302
    assert not Feedback.objects.exists()


def test_complaint__product_page_links_to_the_form(client, product):
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert reverse("grading:feedback-product-complaint", args=[product.pk]) in page


def test_complaint__bad_input_is_400_and_writes_nothing(client, world, product):
    assert _complain(client, world.users["citizen"], product, title="").status_code == 400
    bad = SimpleUploadedFile("x.pdf", b"not a pdf")
    assert _complain(client, world.users["citizen"], product, evidence=bad).status_code == 400
    assert not Feedback.objects.exists()


def test_complaint__unlisted_products_take_none(client, world, product):
    product.status = Product.Status.DRAFT
    product.save()
    assert _complain(client, world.users["citizen"], product).status_code == 404
    assert _complain(client, world.users["grantee"], product).status_code == 403
    assert not Feedback.objects.exists()


def test_complaint__api_names_either_a_resource_or_a_product(client, world, product):
    from grading.feedback.services import feedback_submit

    resource = f.ResourceFactory()
    with pytest.raises(Exception) as excinfo:
        feedback_submit(
            actor=world.users["citizen"],
            kind="complaint",
            title="x",
            text="y",
            resource=resource,
            product=product,
        )
    assert "resource" in excinfo.value.message_dict
    with pytest.raises(Exception) as excinfo:
        feedback_submit(
            actor=world.users["citizen"], kind="correction", title="x", text="y", product=product
        )
    assert "kind" in excinfo.value.message_dict
    assert not Feedback.objects.exists()


def test_upheld_complaint_suspends_the_listing_and_resolving_reinstates_it(client, world, product):
    _complain(client, world.users["citizen"], product)
    item = Feedback.objects.get()
    upheld = _act(client, world.users["platform_admin"], item, "uphold", "来源不合规")
    assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"
    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED and product.status_reason == "来源不合规"
    client.logout()
    assert client.get(f"/products/{product.pk}/").status_code == 404
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert product.pk not in [p["id"] for p in client.get("/api/v1/products/").json()["results"]]
    assert "遥感影像服务" not in client.get("/merchants/enterprise/").content.decode()
    assert Notice.objects.filter(user=world.users["grantee"], text__contains="suspended").exists()
    assert Notice.objects.filter(user=world.users["citizen"]).exists()
    assert AuditEvent.objects.filter(action="product.suspend").exists()

    resolved = _act(client, world.users["platform_admin"], item, "resolve", "已更正来源")
    assert resolved.status_code == 200
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED
    assert AuditEvent.objects.filter(action="product.reinstate").exists()
    client.logout()
    assert client.get(f"/products/{product.pk}/").status_code == 200


def test_a_second_upheld_complaint_keeps_the_listing_suspended(client, world, product):
    _complain(client, world.users["citizen"], product)
    _complain(client, world.users["grantee"], product, title="价格不实")
    first, second = Feedback.objects.order_by("id")
    _act(client, world.users["platform_admin"], first, "uphold")
    _act(client, world.users["platform_admin"], second, "uphold")
    _act(client, world.users["platform_admin"], first, "resolve")
    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED
    _act(client, world.users["platform_admin"], second, "resolve")
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED


def test_the_provider_upholds_or_dismisses_but_the_platform_resolves(client, world, product):
    _complain(client, world.users["citizen"], product)
    item = Feedback.objects.get()
    assert _act(client, world.users["grantee"], item, "uphold").status_code == 200
    assert _act(client, world.users["grantee"], item, "resolve").status_code == 403
    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED


@pytest.mark.parametrize("kind", ["operator", "agency_staff"])
def test_others_cannot_act_on_a_product_complaint(client, world, product, kind):
    _complain(client, world.users["citizen"], product)
    item = Feedback.objects.get()
    assert _act(client, world.users[kind], item, "uphold").status_code in (403, 404)
    item.refresh_from_db()
    assert item.status == "open"


def test_wrong_state_is_409(client, world, product):
    _complain(client, world.users["citizen"], product)
    item = Feedback.objects.get()
    response = _act(client, world.users["platform_admin"], item, "resolve")
    assert response.status_code == 409 and response.json()["current_state"] == "open"
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED


@pytest.mark.parametrize(
    ("kind", "status"),
    [("citizen", 200), ("grantee", 200), ("platform_admin", 200), ("operator", 404)],
)
def test_evidence__complainant_provider_and_platform(client, world, product, kind, status):
    _complain(
        client, world.users["citizen"], product, evidence=SimpleUploadedFile("p.pdf", f.PDF_BYTES)
    )
    item = Feedback.objects.get()
    client.force_login(world.users[kind])
    assert client.get(f"/feedback/{item.pk}/evidence/").status_code == status


def test_the_provider_finds_complaints_in_its_inbox(client, world, product):
    _complain(client, world.users["citizen"], product)
    client.force_login(world.users["grantee"])
    inbox = client.get(reverse("grading:feedback-inbox"))
    assert inbox.status_code == 200 and "数据来源不明" in inbox.content.decode()


def test_api__a_complaint_about_a_product(client, world, product):
    client.force_login(world.users["citizen"])
    body = {"kind": "complaint", "product": product.pk, "title": "价格不实", "text": "详情"}
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["product"] == product.pk
    draft = f.ProductFactory(provider=world.enterprise, status="draft")
    refused = client.post(API, {**body, "product": draft.pk}, content_type="application/json")
    assert refused.status_code == 400 and "product" in refused.json()
    assert Feedback.objects.count() == 1
