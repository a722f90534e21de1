"""Applications for conditional data, grants, quotas and revocation, through the API and pages."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from grading.models import Application, AuditEvent, Grant, Membership, Notice
from tests import factories as f
from tests.factories import application_payload

pytestmark = pytest.mark.django_db

API = "/api/v1/applications/"


@pytest.fixture
def people(world):
    reviewer = f.UserFactory(username="provider_reviewer", email="reviewer@example.cn")
    f.membership(reviewer, world.provider, Membership.Role.REVIEWER)
    other_reviewer = f.UserFactory(username="other_reviewer")
    f.membership(other_reviewer, world.other_agency, Membership.Role.REVIEWER)
    applicant = world.users["citizen"]
    applicant.email = "citizen@example.cn"
    applicant.save()
    return {
        "applicant": applicant,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
        "admin": world.users["platform_admin"],
        "stranger": world.users["grantee"],
    }


@pytest.fixture
def conditional(world):
    resource = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L2")
    f.FieldFactory(resource=resource, grade="L2")
    f.DistributionFactory(resource=resource)
    return resource


def _act(client, user, application_id, action, reason=""):
    client.force_login(user)
    return client.post(
        f"{API}{application_id}/transition/",
        {"action": action, "reason": reason},
        content_type="application/json",
    )


def _download(client, user, resource):
    client.force_login(user)
    distribution = resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    return client.get(url)


def _submitted(client, people, resource):
    client.force_login(people["applicant"])
    response = client.post(
        API, application_payload(resource, submit=True), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_whole_path__apply_check_approve_accept_download_revoke(
    client, people, conditional, django_capture_on_commit_callbacks
):
    assert _download(client, people["applicant"], conditional).status_code == 403
    app_id = _submitted(client, people, conditional)
    body = client.get(f"{API}{app_id}/").json()
    assert body["status"] == "submitted" and body["due_on"] is not None

    assert _act(client, people["admin"], app_id, "check").json()["status"] == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(client, people["reviewer"], app_id, "approve").json()["status"] == "approved"
    assert [m.to for m in mail.outbox] == [["citizen@example.cn"]]
    assert str(app_id) in mail.outbox[0].body
    accepted = _act(client, people["applicant"], app_id, "accept").json()
    assert accepted["status"] == "granted" and accepted["grant"]

    response = _download(client, people["applicant"], conditional)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
    grant = Grant.objects.get(pk=accepted["grant"])
    assert grant.used == 1 and grant.grantee == people["applicant"]

    client.force_login(people["reviewer"])
    revoked = client.post(
        f"/api/v1/grants/{grant.pk}/revoke/",
        {"reason": "违反协议"},
        content_type="application/json",
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert _download(client, people["applicant"], conditional).status_code == 403

    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    for expected in [
        "application.create",
        "application.submit",
        "application.check",
        "application.approve",
        "application.accept",
        "grant.issue",
        "resource.download",
        "grant.revoke",
    ]:
        assert expected in actions
    assert Notice.objects.filter(user=people["applicant"]).count() == 4  # check … revoke


def test_expiry_ends_access_at_once(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    _act(client, people["admin"], app_id, "check")
    _act(client, people["reviewer"], app_id, "approve")
    grant_id = _act(client, people["applicant"], app_id, "accept").json()["grant"]
    assert _download(client, people["applicant"], conditional).status_code == 200
    Grant.objects.filter(pk=grant_id).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    assert _download(client, people["applicant"], conditional).status_code == 403


def test_quota_is_exact(client, people, conditional, settings):
    settings.GRANT_DEFAULT_QUOTA = 2
    app_id = _submitted(client, people, conditional)
    _act(client, people["admin"], app_id, "check")
    _act(client, people["reviewer"], app_id, "approve")
    grant_id = _act(client, people["applicant"], app_id, "accept").json()["grant"]
    statuses = [_download(client, people["applicant"], conditional).status_code for _ in range(3)]
    assert statuses == [200, 200, 403]
    assert Grant.objects.get(pk=grant_id).used == 2


@pytest.mark.parametrize(
    ("actor", "action", "status"),
    [
        ("admin", "approve", 403),  # the agency decides, not the platform
        ("reviewer", "check", 403),  # the platform checks, not the agency
        ("applicant", "check", 403),
        ("other_reviewer", "approve", 404),  # not visible to another agency
        ("stranger", "withdraw", 404),  # someone else's application
        ("applicant", "approve", 403),
    ],
)
def test_acting_without_the_role_is_refused(client, people, conditional, actor, action, status):
    app_id = _submitted(client, people, conditional)
    _act(client, people["admin"], app_id, "check")
    response = _act(client, people[actor], app_id, action)
    assert response.status_code == status
    assert Application.objects.get(pk=app_id).status == "checked"


def test_invalid_transition_is_409_with_the_current_state(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    again = _act(client, people["applicant"], app_id, "submit")
    assert again.status_code == 409 and again.json()["current_state"] == "submitted"
    early = _act(client, people["applicant"], app_id, "accept")
    assert early.status_code == 409
    assert AuditEvent.objects.filter(action="application.submit").count() == 1


def test_withdraw_before_a_decision_only(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    assert _act(client, people["applicant"], app_id, "withdraw").json()["status"] == "withdrawn"
    second = _submitted(client, people, conditional)
    _act(client, people["admin"], second, "check")
    _act(client, people["reviewer"], second, "approve")
    late = _act(client, people["applicant"], second, "withdraw")
    assert late.status_code == 409 and late.json()["current_state"] == "approved"


@pytest.mark.parametrize("action", ["reject", "request_info"])
def test_reject_and_questions_need_a_reason(client, people, conditional, action):
    app_id = _submitted(client, people, conditional)
    _act(client, people["admin"], app_id, "check")
    response = _act(client, people["reviewer"], app_id, action)
    assert response.status_code == 400 and "reason" in response.json()
    assert Application.objects.get(pk=app_id).status == "checked"


def test_need_info_pauses_the_clock(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    _act(client, people["admin"], app_id, "check")
    asked = _act(client, people["reviewer"], app_id, "request_info", "请说明数据保存方式")
    assert asked.json()["status"] == "need_info" and asked.json()["due_on"] is None
    assert Application.objects.get(pk=app_id).paused_days >= 1
    answered = _act(client, people["applicant"], app_id, "respond", "加密存储于本单位服务器")
    assert answered.json()["status"] == "checked" and answered.json()["due_on"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": ""}, "purpose"),
        ({"scenario": "  "}, "scenario"),
        ({"term_days": 0}, "term_days"),
        ({"term_days": 4000}, "term_days"),
        ({"want_download": False, "want_query": False}, "want_query"),
        ({"resources": []}, "resources"),
        ({"resources": [999999]}, "resources"),
        ({"undertaking_accepted": False, "submit": True}, "undertaking_accepted"),
    ],
)
def test_bad_fields_are_400_naming_them_and_write_nothing(
    client, people, conditional, change, field
):
    client.force_login(people["applicant"])
    response = client.post(
        API, application_payload(conditional, **change), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Application.objects.exists() and not AuditEvent.objects.exists()


def test_cannot_apply_for_open_restricted_or_invisible_data(client, people, world, make_resource):
    client.force_login(people["applicant"])
    for variant in ("open_L1", "restricted_L2"):
        resource = make_resource(variant)
        response = client.post(API, application_payload(resource), content_type="application/json")
        assert response.status_code == 400 and "resources" in response.json()
    assert not Application.objects.exists()


def test_grade_l3_is_query_only(client, people, world):
    resource = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L3")
    client.force_login(people["applicant"])
    response = client.post(API, application_payload(resource), content_type="application/json")
    assert response.status_code == 400 and "want_download" in response.json()
    ok = client.post(
        API, application_payload(resource, want_download=False), content_type="application/json"
    )
    assert ok.status_code == 201


def test_anonymous_callers_get_401_or_403(client, conditional):
    assert client.get(API).status_code in (401, 403)
    response = client.post(API, application_payload(conditional), content_type="application/json")
    assert response.status_code in (401, 403)


def test_lists_show_only_what_the_caller_may_see(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    for who, expected in [
        ("applicant", {app_id}),
        ("reviewer", {app_id}),
        ("admin", {app_id}),
        ("other_reviewer", set()),
        ("stranger", set()),
    ]:
        client.force_login(people[who])
        assert {row["id"] for row in client.get(API).json()["results"]} == expected, who


# -- pages ------------------------------------------------------------------------------------


def test_resource_page_offers_to_apply_only_where_the_policy_allows(client, people, world):
    conditional = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L1")
    open_one = f.ResourceFactory(provider=world.provider, tier="open", grade="L1")
    apply_url = reverse("grading:application-new")
    assert apply_url not in client.get(f"/resources/{conditional.pk}/").content.decode()
    client.force_login(people["applicant"])
    assert apply_url in client.get(f"/resources/{conditional.pk}/").content.decode()
    assert apply_url not in client.get(f"/resources/{open_one.pk}/").content.decode()


def test_apply_page_then_timeline_and_queue(client, people, conditional):
    client.force_login(people["applicant"])
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "应用场景" in page.content.decode()
    response = client.post(url, {**application_payload(conditional), "submit": "1"})
    application = Application.objects.get()
    assert response.status_code == 302 and application.status == "submitted"
    detail = client.get(reverse("grading:application-detail", args=[application.pk]))
    # Readable words, no event codes or hashes for the applicant (issue 17).
    assert "申请人提交了申请" in detail.content.decode()
    assert "application.submit" not in detail.content.decode()
    client.force_login(people["admin"])
    Application.objects.filter(pk=application.pk).update(due_on=dt.date(2020, 1, 2))
    queue = client.get(reverse("grading:review-queue")).content.decode()
    assert f">{application.pk}<" in queue and 'class="overdue"' in queue


def test_apply_page_reports_errors_and_writes_nothing(client, people, conditional):
    client.force_login(people["applicant"])
    url = reverse("grading:application-new") + f"?resource={conditional.pk}"
    response = client.post(url, {**application_payload(conditional, purpose=""), "submit": "1"})
    assert response.status_code == 200 and not Application.objects.exists()


def test_page_action_in_the_wrong_state_is_409(client, people, conditional):
    app_id = _submitted(client, people, conditional)
    client.force_login(people["applicant"])
    response = client.post(
        reverse("grading:application-detail", args=[app_id]), {"action": "accept"}
    )
    assert response.status_code == 409


def test_audit_page_is_for_auditors_only(client, people, world, conditional):
    _submitted(client, people, conditional)
    client.force_login(people["applicant"])
    assert client.get(reverse("grading:audit-log")).status_code == 404
    client.force_login(world.users["auditor"])
    page = client.get(reverse("grading:audit-log"))
    assert page.status_code == 200 and "application.submit" in page.content.decode()


def test_grant_lists_never_show_resources_the_holder_may_not_see(client, world, make_resource):
    hidden = make_resource("restricted_L4")  # make_resource grants it to `grantee` regardless
    client.force_login(world.users["grantee"])
    body = client.get("/api/v1/grants/").content.decode()
    assert hidden.code not in body and hidden.title not in body
    page = client.get(reverse("grading:grant-list")).content.decode()
    assert hidden.code not in page and hidden.title not in page


def test_expire_grants_records_what_the_clock_already_ended(world, make_resource, capsys):
    from django.core.management import call_command

    make_resource("conditional_L1")  # gives `expired_grantee` a grant that ended yesterday
    call_command("expire_grants")
    assert "1 grants marked expired" in capsys.readouterr().out
    assert Grant.objects.filter(grantee=world.users["expired_grantee"], status="expired").exists()
    assert AuditEvent.objects.filter(action="grant.expire").count() == 1
    call_command("expire_grants")
    assert AuditEvent.objects.filter(action="grant.expire").count() == 1


def test_transition_answer_never_shows_resources_the_caller_may_no_longer_see(
    client, people, conditional
):
    app_id = _submitted(client, people, conditional)
    # The agency closes the entry after the application was made.
    type(conditional).objects.filter(pk=conditional.pk).update(tier="restricted")
    response = _act(client, people["applicant"], app_id, "withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["resources"] == []
    body = response.content.decode()
    assert conditional.code not in body and conditional.title not in body
