"""The authorized-operation pages: what each kind of user sees and may do, and refusals."""

import pytest
from django.urls import reverse

from grading.models import Agreement, AuditEvent, OperationApplication
from tests import factories as f
from tests.grading.operation.conftest import part_of

pytestmark = pytest.mark.django_db

APPLY = "/operation/apply/"
LIST = "/operation/applications/"


def detail(application):
    return reverse("operation:application-detail", args=[application.pk])


def agreement_url(agreement):
    return reverse("operation:agreement-detail", args=[agreement.pk])


def form_data(scene, **extra):
    data = f.operation_data(**extra)
    data.pop("undertaking_accepted")
    return {
        "applicant": scene.org.pk,
        "resources": [scene.conditional.pk, scene.restricted.pk, scene.other.pk],
        **data,
        "undertaking_accepted": "on",
        "submit": "1",
        **extra,
    }


def test_apply__the_picker_names_restricted_entries_by_title_only(client, scene):
    client.force_login(scene.applicant)
    page = client.get(APPLY).content.decode()
    assert scene.restricted.title in page
    assert scene.restricted.abstract not in page
    assert reverse("catalog:resource-detail", args=[scene.restricted.pk]) not in page
    assert reverse("catalog:resource-detail", args=[scene.conditional.pk]) in page
    assert scene.open.title not in page and scene.draft.title not in page


def test_apply__submits_and_lands_on_the_application(client, scene, world):
    client.force_login(scene.applicant)
    response = client.post(APPLY, form_data(scene))
    application = OperationApplication.objects.get()
    assert response.status_code == 302 and response.url == detail(application)
    assert application.status == "submitted"
    page = client.get(detail(application)).content.decode()
    assert world.provider.display_name in page and world.other_agency.display_name in page
    assert "The applicant submitted the application." in page
    assert "operation.submit" not in page


@pytest.mark.parametrize(
    "change",
    [
        {"purposes": ""},
        {"term_months": "61"},
        {"term_months": "abc"},
        {"proposed_fee_cap": "-5"},
        {"undertaking_accepted": ""},
        {"resources": [], "themes": [], "agencies": []},
    ],
)
def test_apply__bad_input_shows_the_form_again_and_writes_nothing(client, scene, change):
    client.force_login(scene.applicant)
    response = client.post(APPLY, {**form_data(scene), **change})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not OperationApplication.objects.exists()


@pytest.mark.parametrize("kind", ["citizen", "agency_staff"])
def test_apply__403_for_those_who_may_not_apply_with_how_to(client, world, kind):
    client.force_login(world.users[kind])
    response = client.get(APPLY)
    assert response.status_code == 403
    assert "verified" in response.content.decode()
    chinese = client.get(APPLY, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "平台认证" in chinese and "verified" not in chinese


def test_apply__anonymous_is_sent_to_sign_in(client, world):
    response = client.get(APPLY)
    assert response.status_code == 302 and "login" in response.url


def test_detail__404_for_those_who_may_not_see_it(client, submitted, world):
    third = f.UserFactory()
    f.membership(third, f.OrganizationFactory(), "reviewer")
    for user in (world.users["citizen"], world.users["operator"], third):
        client.force_login(user)
        assert client.get(detail(submitted)).status_code == 404


def test_detail__an_agency_sees_only_its_own_part(client, scene, checked, world):
    client.force_login(scene.other_reviewer)
    page = client.get(detail(checked)).content.decode()
    assert scene.other.title in page
    assert scene.restricted.title not in page and scene.conditional.title not in page
    assert "Approve this part" in page


def test_admin_checks_and_a_reviewer_approves_through_the_pages(client, scene, submitted, world):
    client.force_login(scene.admin)
    assert "Pass the formal check" in client.get(detail(submitted)).content.decode()
    response = client.post(detail(submitted), {"action": "check"})
    assert response.status_code == 302
    client.force_login(scene.reviewer)
    part = part_of(submitted, world.provider)
    url = reverse("operation:part-decide", args=[submitted.pk, part.pk])
    response = client.post(url, {"action": "approve", "approved": [scene.conditional.pk]})
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.status == "approved"
    assert list(part.approved_resources.all()) == [scene.conditional]


def test_wrong_state_on_a_page_is_409_with_the_state(client, scene, checked):
    client.force_login(scene.admin)
    response = client.post(detail(checked), {"action": "check"})
    assert response.status_code == 409
    assert "With the agencies" in response.content.decode()


def test_wrong_role_on_a_page_is_403(client, scene, submitted, world):
    client.force_login(scene.applicant)
    assert client.post(detail(submitted), {"action": "check"}).status_code == 403
    client.force_login(scene.other_reviewer)
    part = part_of(submitted, world.provider)
    url = reverse("operation:part-decide", args=[submitted.pk, part.pk])
    # The other agency cannot even see the provider's part.
    assert client.post(url, {"action": "approve"}).status_code == 404


def test_return_without_reason_is_400_and_changes_nothing(client, scene, submitted):
    client.force_login(scene.admin)
    assert client.post(detail(submitted), {"action": "return"}).status_code == 400
    assert OperationApplication.objects.get().status == "submitted"


def test_issue_sign_and_suspend_through_the_pages(client, scene, decided):
    client.force_login(scene.admin)
    response = client.post(detail(decided), {"action": "issue", "fee_cap": "1000"})
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response.url == agreement_url(agreement)
    client.force_login(scene.applicant)
    page = client.get(agreement_url(agreement)).content.decode()
    assert "Sign the agreement" in page and scene.conditional.title in page
    assert client.post(agreement_url(agreement), {"action": "sign"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "active"
    client.force_login(scene.admin)
    first = client.post(agreement_url(agreement), {"action": "suspend", "reason": "核查"})
    assert first.status_code == 200 and "Confirm" in first.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "active"  # nothing changes before the confirmation
    data = {"action": "suspend", "reason": "核查", "confirmed": "on"}
    assert client.post(agreement_url(agreement), data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "suspended" and agreement.status_reason == "核查"


def test_agreement__the_operator_cannot_suspend(client, scene, active):
    client.force_login(scene.applicant)
    data = {"action": "suspend", "reason": "x", "confirmed": "on"}
    assert client.post(agreement_url(active), data).status_code == 403
    assert client.post(agreement_url(active), {"action": "suspend"}).status_code == 403
    assert Agreement.objects.get().status == "active"


def test_agreement__404_for_others(client, active, world):
    client.force_login(world.users["operator"])
    assert client.get(agreement_url(active)).status_code == 404


def test_renew_through_the_page(client, scene, active):
    client.force_login(scene.applicant)
    url = reverse("operation:agreement-renew", args=[active.pk])
    page = client.get(url).content.decode()
    assert active.application.scenarios in page
    data = {
        "purposes": active.purposes,
        "scenarios": "续期场景",
        "security_measures": "同前",
        "term_months": "12",
        "undertaking_accepted": "on",
    }
    response = client.post(url, data)
    renewal = OperationApplication.objects.get(renews=active)
    assert response.status_code == 302 and response.url == detail(renewal)
    assert renewal.status == "submitted"


def test_list__queue_for_admins_and_reviewers_with_overdue_flag(client, scene, checked, world):
    part = part_of(checked, world.provider)
    type(part).objects.filter(pk=part.pk).update(due_on="2020-01-01")
    client.force_login(scene.reviewer)
    page = client.get(LIST).content.decode()
    assert "Waiting for your decision" in page and "Overdue" in page
    client.force_login(scene.other_reviewer)
    page = client.get(LIST).content.decode()
    assert "Waiting for your decision" in page and "Overdue" not in page


def test_nav_entry_for_applicants_and_reviewers_only(client, scene, world):
    client.force_login(scene.applicant)
    assert LIST in client.get("/").content.decode()
    client.force_login(world.users["citizen"])
    assert LIST not in client.get("/").content.decode()


def test_timeline_names_steps_in_plain_words(client, scene, issued):
    client.force_login(scene.applicant)
    page = client.get(detail(issued.application)).content.decode()
    assert "The platform issued the agreement." in page
    assert AuditEvent.objects.first().hash not in page


def test_detail__the_applicant_sees_a_drafts_scope_as_named(client, scene):
    from grading.operation import services

    draft = services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[scene.restricted],
        themes=[scene.other.theme],
    )
    client.force_login(scene.applicant)
    page = client.get(detail(draft)).content.decode()
    assert "Scope as named" in page and scene.restricted.title in page
    assert scene.other.theme.display_name in page
    assert 'value="submit"' in page


def test_list__platform_staff_see_parts_overdue_at_the_agencies(client, scene, checked, world):
    part = part_of(checked, world.other_agency)
    type(part).objects.filter(pk=part.pk).update(due_on="2020-01-01")
    client.force_login(world.users["auditor"])
    page = client.get(LIST).content.decode()
    assert detail(checked) in page and "Overdue" in page


def test_agreement__expiry_is_offered_once_the_term_is_over(client, scene, active):
    import datetime as dt

    from django.utils import timezone

    client.force_login(scene.admin)
    assert 'value="expire"' not in client.get(agreement_url(active)).content.decode()
    past = timezone.now() - dt.timedelta(days=1)
    Agreement.objects.filter(pk=active.pk).update(valid_until=past)
    assert 'value="expire"' in client.get(agreement_url(active)).content.decode()
    data = {"action": "expire", "confirmed": "on"}
    assert client.post(agreement_url(active), data).status_code == 302
    assert Agreement.objects.get().status == "expired"
    # The operator sees it ended, and renewal is no longer offered.
    client.force_login(scene.applicant)
    page = client.get(agreement_url(active)).content.decode()
    assert "Expired" in page and "Request renewal" not in page


def test_detail__an_agency_gets_no_link_to_the_agreement_it_cannot_open(client, scene, issued):
    client.force_login(scene.reviewer)
    page = client.get(detail(issued.application)).content.decode()
    assert agreement_url(issued) not in page
    client.force_login(scene.applicant)
    assert agreement_url(issued) in client.get(detail(issued.application)).content.decode()


def test_agreement__an_unsigned_scope_links_only_to_entries_the_operator_may_open(
    client, scene, checked, world
):
    from grading.operation import agreements, services

    for part, reviewer in (
        (world.provider, scene.reviewer),
        (world.other_agency, scene.other_reviewer),
    ):
        services.operation_part_act(actor=reviewer, part=part_of(checked, part), action="approve")
    checked.refresh_from_db()
    agreement = agreements.agreement_issue(actor=scene.admin, application=checked)
    client.force_login(scene.applicant)
    page = client.get(agreement_url(agreement)).content.decode()
    assert scene.restricted.title in page
    assert reverse("catalog:resource-detail", args=[scene.restricted.pk]) not in page
    assert reverse("catalog:resource-detail", args=[scene.conditional.pk]) in page
