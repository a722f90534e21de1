"""The grading write paths refuse text holding control characters with a 400 naming the field
and write nothing: feedback (form, API, the agency's answer), applications (create, reasons),
enterprise registration and API key names."""

import pytest
from django.urls import reverse

from catalog.models import Organization
from grading.models import Application, AuditEvent, Feedback, Membership
from tests import factories as f
from tests.factories import application_payload, enterprise_signup

pytestmark = pytest.mark.django_db

API = "/api/v1/applications/"


@pytest.fixture
def open_resource(make_resource):
    return make_resource("open_L1")


@pytest.fixture
def conditional(world):
    resource = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L2")
    f.FieldFactory(resource=resource, grade="L2")
    f.DistributionFactory(resource=resource)
    return resource


@pytest.mark.parametrize("field", ["title", "text"])
def test_feedback_form__control_characters_are_400(client, open_resource, field):
    url = reverse("grading:feedback-new", args=[open_resource.pk, "correction"])
    key = client.get(url).context["form"]["submission_key"].value()
    data = {"title": "数值有误", "text": "第2行", "submission_key": key, field: "坏\x0b值"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("field", ["title", "text"])
def test_feedback_api__control_characters_are_400_naming_the_field(client, open_resource, field):
    body = {"kind": "correction", "resource": open_resource.pk, "title": "t", "text": "x"}
    body[field] = "坏\x01值"
    response = client.post("/api/v1/feedback/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "control characters" in response.json()[field][0]
    assert not Feedback.objects.exists()


def test_feedback_answer__control_characters_are_400(client, world, open_resource):
    item = Feedback.objects.create(
        kind="correction", resource=open_resource, agency=world.provider, title="t", text="x"
    )
    client.force_login(world.users["agency_staff"])
    response = client.post(
        reverse("grading:feedback-detail", args=[item.pk]),
        {"action": "answer", "text": "已\x0b更正"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.answer == "" and item.status == Feedback.Status.OPEN


@pytest.mark.parametrize("field", ["purpose", "scenario"])
def test_application_api__control_characters_are_400(client, world, conditional, field):
    client.force_login(world.users["citizen"])
    response = client.post(
        API,
        application_payload(conditional, **{field: "研究\x0b用途"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Application.objects.exists() and not AuditEvent.objects.exists()


def test_application_reason__control_characters_are_400(client, world, conditional):
    client.force_login(world.users["citizen"])
    created = client.post(
        API, application_payload(conditional, submit=True), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client.force_login(world.users["platform_admin"])
    response = client.post(
        f"{API}{pk}/transition/",
        {"action": "return", "reason": "请\x0b补充"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "reason" in response.json()
    assert Application.objects.get(pk=pk).status == Application.Status.SUBMITTED


def test_enterprise_registration__control_characters_are_400(client, db):
    data = enterprise_signup(organization_name="示例\x0b科技有限公司")
    response = client.post(reverse("account-register-enterprise"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["organization_name"]
    assert not Organization.objects.exists() and not Membership.objects.exists()


def test_api_key_name__control_characters_are_refused(client, world):
    client.force_login(world.users["citizen"])
    response = client.post(reverse("account-api-keys"), {"name": "脚本\x0b一"})
    assert response.status_code == 400
    assert not world.users["citizen"].api_keys.exists()
