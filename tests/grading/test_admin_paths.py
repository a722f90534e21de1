"""Paths for staff (issue 17, item 12 of the list): header links to the audit log and the
administration by policy, entry names in the review queue, the evidence of an enterprise
registration and a confirmation before a verification is withdrawn."""

import pytest
from django.urls import reverse

from catalog.models import Organization
from grading import policy
from grading.models import Application
from tests import factories as f

pytestmark = pytest.mark.django_db


def header(client) -> str:
    page = client.get("/").content.decode()
    return page.split("<main", 1)[0]


@pytest.mark.parametrize(
    ("kind", "audit", "admin"),
    [
        ("platform_admin", True, True),
        ("auditor", True, True),
        ("agency_staff", False, False),
        ("citizen", False, False),
    ],
)
def test_header_links_follow_the_policy(client, world, kind, audit, admin):
    user = world.users[kind]
    client.force_login(user)
    top = header(client)
    assert (reverse("grading:audit-log") in top) is audit is policy.can_view_audit(user)
    assert ('href="/admin/"' in top) is admin is policy.can_use_admin(user)


def test_review_queue_names_the_entries(client, world):
    resource = f.ResourceFactory(
        provider=world.provider, tier="conditional", grade="L2", title="企业登记信息查询"
    )
    client.force_login(world.users["citizen"])
    client.post(
        reverse("grading:application-new") + f"?resource={resource.pk}",
        {**f.application_payload(resource), "submit": "1"},
    )
    assert Application.objects.filter(status="submitted").exists()
    client.force_login(world.users["platform_admin"])
    queue = client.get(reverse("grading:review-queue")).content.decode()
    assert "企业登记信息查询" in queue


def test_enterprise_registration_shows_its_evidence(client, world):
    pending = f.OrganizationFactory(
        code="pending", kind=Organization.Kind.ENTERPRISE, credit_code=f.credit_code(7)
    )
    registrant = f.UserFactory(username="registrant", email="registrant@example.cn")
    f.membership(registrant, pending, "admin")
    client.force_login(world.users["platform_admin"])
    page = client.get(reverse("account-enterprise-review"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "registrant@example.cn" in body and "Check character correct" in body
    assert "e-mail not confirmed" in body


def test_withdrawing_a_verification_asks_first(client, world):
    client.force_login(world.users["platform_admin"])
    url = reverse("account-enterprise-unverify", args=[world.enterprise.pk])
    listing = client.get(reverse("account-enterprise-review")).content.decode()
    assert f'<a href="{url}">' in listing  # a link to the confirmation, not a one-click form
    confirm = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200 and 'role="alert"' in confirm.content.decode()
    assert world.enterprise.name in confirm.content.decode()
    world.enterprise.refresh_from_db()
    assert world.enterprise.verified_at is not None  # nothing changed yet
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    world.enterprise.refresh_from_db()
    assert world.enterprise.verified_at is None


def test_the_confirmation_page_is_for_administrators_only(client, world):
    client.force_login(world.users["auditor"])
    url = reverse("account-enterprise-unverify", args=[world.enterprise.pk])
    assert client.get(url).status_code == 403
