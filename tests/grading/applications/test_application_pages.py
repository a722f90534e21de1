"""What an applicant sees of an application (issue 17, item 6 of the first-visit list): readable
timeline, a confirmation that says what happens next, only their own actions, and a warning
before applying for data reserved to legal entities."""

import re

import pytest
from django.urls import reverse

from grading.models import Application, Membership
from tests import factories as f
from tests.factories import application_payload
from tests.grading.applications.test_applications import _act

pytestmark = pytest.mark.django_db

LEGAL_ENTITY_ONLY = "申请人须为依法登记的法人，提交用途说明与数据安全保障方案。"


@pytest.fixture
def conditional(world):
    resource = f.ResourceFactory(
        provider=world.provider, tier="conditional", grade="L2", open_conditions=LEGAL_ENTITY_ONLY
    )
    f.FieldFactory(resource=resource, grade="L2")
    f.DistributionFactory(resource=resource)
    return resource


def main(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def test_submitting_says_submitted_and_what_happens_next(client, world, conditional):
    client.force_login(world.users["citizen"])
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    response = client.post(url, {**application_payload(conditional), "submit": "1"}, follow=True)
    page = main(response)
    pk = Application.objects.get().pk
    assert f"申请 #{pk} 已提交" in page and "5 个工作日" in page and "已保存" not in page


def test_timeline_is_readable_and_hashes_are_for_staff_only(client, world, conditional):
    client.force_login(world.users["citizen"])
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    client.post(url, {**application_payload(conditional), "submit": "1"})
    application = Application.objects.get()
    _act(client, world.users["platform_admin"], application.pk, "return", "请补充用途")
    detail_url = reverse("grading:application-detail", args=[application.pk])

    client.force_login(world.users["citizen"])
    page = main(client.get(detail_url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "The applicant submitted the application." in page
    assert "The platform returned the application for correction." in page
    assert "请补充用途" in page and "platform_admin" in page
    assert "application.submit" not in page and "<details" not in page
    assert application.pk and not re.search(r"[0-9a-f]{40,}", page)
    # The applicant's own actions only; the reviewers' are not shown, nor their queue.
    assert 'value="submit"' in page and 'value="withdraw"' in page
    for reviewer_action in ("check", "return", "approve", "reject", "request_info"):
        assert f'value="{reviewer_action}"' not in page
    assert reverse("grading:review-queue") not in client.get(detail_url).content.decode()

    client.force_login(world.users["platform_admin"])
    staff = main(client.get(detail_url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "<details" in staff and "application.submit" in staff
    assert re.search(r"[0-9a-f]{64}", staff)


def test_warning_before_a_citizen_applies_for_legal_entity_data(client, world, conditional):
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    client.force_login(world.users["citizen"])
    page = main(client.get(url))
    assert 'role="alert"' in page and "仅限法人申请" in page and LEGAL_ENTITY_ONLY in page

    member = world.users["grantee"]  # a member of a verified enterprise
    client.force_login(member)
    assert Membership.objects.filter(user=member).exists()
    assert "仅限法人申请" not in main(client.get(url))


def test_no_warning_without_such_a_condition(client, world, conditional):
    conditional.open_conditions = "提交用途说明。"
    conditional.save()
    client.force_login(world.users["citizen"])
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    assert "仅限法人申请" not in main(client.get(url))
