"""Registration, e-mail confirmation, the platform's check of enterprises, and who counts as a
verified applicant."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse

from catalog.models import Organization
from grading import policy
from grading.models import ConfirmedEmail, Membership
from tests import factories as f
from tests.conftest import USER_KINDS

User = get_user_model()
PASSWORD = f.SIGNUP_PASSWORD
LINK = re.compile(r"https?://testserver(/accounts/confirm/[^/\s]+/)")


def confirmation_path(message) -> str:
    return LINK.search(message.body).group(1)


def written():
    return (
        User.objects.count(),
        Organization.objects.count(),
        Membership.objects.count(),
        len(mail.outbox),
    )


# ---------------------------------------------------------------------------------------------
# Individuals
# ---------------------------------------------------------------------------------------------


def test_register_individual__signs_in_and_mails_a_confirmation_link(client, db):
    response = client.post(reverse("account-register-individual"), f.individual_signup())
    assert response.status_code == 302 and response["Location"] == reverse("account")
    user = User.objects.get(username="zhang_san")
    assert user.check_password(PASSWORD) and user.email == "zhang.san@example.cn"
    assert client.get(reverse("account")).context["user"] == user
    (message,) = mail.outbox
    assert message.to == ["zhang.san@example.cn"]
    assert not policy.applicant_verified(user)

    response = client.get(confirmation_path(message))
    assert response.status_code == 302
    assert ConfirmedEmail.objects.filter(user=user, email=user.email).exists()
    assert policy.applicant_verified(User.objects.get(pk=user.pk))
    page = client.get(reverse("account"))
    assert b'data-state="email-confirmed"' in page.content
    assert b'data-state="applicant-verified"' in page.content


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            f.individual_signup(password1="12345678", password2="12345678"),
            "password2",
        ),  # numeric, common
        (
            f.individual_signup(password1="zhang_san1", password2="zhang_san1"),
            "password2",
        ),  # like name
        (f.individual_signup(password1="Kq7-sh", password2="Kq7-sh"), "password2"),  # too short
        (f.individual_signup(password2=PASSWORD + "x"), "password2"),
        (f.individual_signup(email=""), "email"),
        (f.individual_signup(email="not-an-address"), "email"),
        (f.individual_signup(username=""), "username"),
        (f.individual_signup(username="bad name!"), "username"),
    ],
)
def test_register_individual__bad_input_is_400_and_writes_nothing(client, db, data, field):
    before = written()
    response = client.post(reverse("account-register-individual"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert b"error-message" in response.content
    assert written() == before


def test_register_individual__taken_name_or_address_is_refused(client, world):
    before = written()
    taken_name = f.individual_signup(username="citizen")
    taken_email = f.individual_signup(email=world.users["citizen"].email.upper())
    for data, field in ((taken_name, "username"), (taken_email, "email")):
        response = client.post(reverse("account-register-individual"), data)
        assert response.status_code == 400
        assert response.context["form"].errors[field]
    assert written() == before


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


def test_register_enterprise__creates_unverified_enterprise_and_its_admin(client, db):
    response = client.post(reverse("account-register-enterprise"), f.enterprise_signup())
    assert response.status_code == 302
    org = Organization.objects.get(credit_code=f.credit_code(1))
    assert org.kind == Organization.Kind.ENTERPRISE and org.verified_at is None
    assert org.name == "上海示例数据科技有限公司"
    (membership,) = org.memberships.all()
    assert membership.user.username == "qiye_admin"
    assert membership.role == Membership.Role.ADMIN
    assert len(mail.outbox) == 1  # the account holder's address is confirmed too
    assert not policy.applicant_verified(membership.user)
    page = client.get(reverse("account"))
    assert "waiting for verification" in page.content.decode() or "等待" in page.content.decode()


def test_register_enterprise__code_with_spaces_and_lower_case_is_normalised(client, db):
    code = f.credit_code(2)
    spaced = f" {code[:6]} {code[6:12]} {code[12:].lower()} "
    response = client.post(
        reverse("account-register-enterprise"), f.enterprise_signup(credit_code=spaced)
    )
    assert response.status_code == 302
    assert Organization.objects.filter(credit_code=code).exists()


def _wrong_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credit_code": _wrong_check(f.credit_code(3))}, "credit_code"),
        ({"credit_code": f.credit_code(3)[:17]}, "credit_code"),
        ({"credit_code": f.credit_code(3)[:16] + "IO"}, "credit_code"),
        ({"credit_code": ""}, "credit_code"),
        ({"organization_name": ""}, "organization_name"),
        ({"organization_name": "名" * 201}, "organization_name"),
        ({"password2": "different-Password-1"}, "password2"),
    ],
)
def test_register_enterprise__bad_input_is_400_and_writes_nothing(client, db, changes, field):
    before = written()
    response = client.post(reverse("account-register-enterprise"), f.enterprise_signup(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert written() == before


def test_register_enterprise__wrong_check_character_names_the_problem(client, db):
    data = f.enterprise_signup(credit_code=_wrong_check(f.credit_code(4)))
    response = client.post(reverse("account-register-enterprise"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "check character" in response.content.decode()


def test_register_enterprise__registered_code_is_refused(client, db):
    f.OrganizationFactory(kind=Organization.Kind.ENTERPRISE, credit_code=f.credit_code(5))
    before = written()
    response = client.post(
        reverse("account-register-enterprise"), f.enterprise_signup(credit_code=f.credit_code(5))
    )
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"]
    assert written() == before


def test_enterprise_register_service_refuses_bad_codes_itself(db):
    from django.core.exceptions import ValidationError

    from grading.accounts import services as accounts

    for code in (_wrong_check(f.credit_code(6)), "123"):
        with pytest.raises(ValidationError):
            accounts.enterprise_register(
                username="svc",
                email="svc@example.cn",
                password=PASSWORD,
                name="企业",
                credit_code=code,
                site_url="http://testserver",
            )
    assert not User.objects.filter(username="svc").exists()


# ---------------------------------------------------------------------------------------------
# E-mail confirmation links
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(db):
    return f.UserFactory(username="newcomer")


def _token_at(user, moment: float) -> str:
    from grading.accounts import services as accounts

    real = time.time
    try:
        signing.time.time = lambda: moment
        return accounts.email_confirmation_token(user=user)
    finally:
        signing.time.time = real


def test_confirmation__valid_token_confirms_once_and_twice_is_harmless(client, newcomer):
    from grading.accounts import services as accounts

    path = reverse("account-email-confirm", args=[accounts.email_confirmation_token(user=newcomer)])
    assert client.get(path).status_code == 302
    assert client.get(path).status_code == 302
    assert ConfirmedEmail.objects.filter(user=newcomer).count() == 1
    assert policy.email_confirmed(newcomer)


@pytest.mark.parametrize("mangle", ["tamper", "garbage", "other-salt"])
def test_confirmation__invalid_token_is_400_and_confirms_nothing(client, newcomer, mangle):
    from grading.accounts import services as accounts

    token = accounts.email_confirmation_token(user=newcomer)
    bad = {
        "tamper": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "garbage": "not-a-token",
        "other-salt": signing.dumps({"u": newcomer.pk, "e": newcomer.email}, salt="other"),
    }[mangle]
    response = client.get(reverse("account-email-confirm", args=[bad]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not ConfirmedEmail.objects.exists()


def test_confirmation__expired_token_is_400(client, newcomer, settings):
    old = _token_at(newcomer, time.time() - settings.EMAIL_CONFIRMATION_MAX_AGE - 60)
    response = client.get(reverse("account-email-confirm", args=[old]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not ConfirmedEmail.objects.exists()
    fresh = _token_at(newcomer, time.time() - settings.EMAIL_CONFIRMATION_MAX_AGE + 60)
    assert client.get(reverse("account-email-confirm", args=[fresh])).status_code == 302


def test_confirmation__link_for_a_replaced_address_is_refused(client, newcomer):
    from grading.accounts import services as accounts

    token = accounts.email_confirmation_token(user=newcomer)
    newcomer.email = "new.address@example.cn"
    newcomer.save()
    assert client.get(reverse("account-email-confirm", args=[token])).status_code == 400
    assert not policy.email_confirmed(newcomer)


def test_confirmation__changing_the_address_needs_a_new_confirmation(world):
    citizen = world.users["citizen"]
    assert policy.applicant_verified(citizen)
    citizen.email = "elsewhere@example.cn"
    citizen.save()
    assert not policy.applicant_verified(User.objects.get(pk=citizen.pk))


def test_confirmation__resend_mails_a_working_link(client, newcomer):
    client.force_login(newcomer)
    assert client.post(reverse("account-email-resend")).status_code == 302
    (message,) = mail.outbox
    assert client.get(confirmation_path(message)).status_code == 302
    assert policy.email_confirmed(newcomer)


def test_confirmation__resend_needs_post_and_a_login(client, newcomer):
    assert client.post(reverse("account-email-resend")).status_code == 302  # to the login page
    client.force_login(newcomer)
    assert client.get(reverse("account-email-resend")).status_code == 405
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# Who is a verified applicant, and who verifies enterprises
# ---------------------------------------------------------------------------------------------

VERIFIED_APPLICANTS = {"citizen", "grantee", "expired_grantee", "operator"}


@pytest.mark.parametrize("kind", USER_KINDS)
def test_applicant_verified_per_kind(world, kind):
    assert policy.applicant_verified(world.users[kind]) == (kind in VERIFIED_APPLICANTS)


def test_applicant_verified__member_of_unverified_enterprise_is_not(world):
    org = f.OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    user = f.UserFactory()
    f.membership(user, org, Membership.Role.EDITOR)
    assert not policy.applicant_verified(user)
    f.verify(org)
    assert policy.applicant_verified(User.objects.get(pk=user.pk))


def test_applicant_verified__inactive_user_is_not(world):
    citizen = world.users["citizen"]
    citizen.is_active = False
    citizen.save()
    assert not policy.applicant_verified(User.objects.get(pk=citizen.pk))


@pytest.mark.parametrize("kind", USER_KINDS)
def test_can_verify_enterprise_per_kind(world, kind):
    assert policy.can_verify_enterprise(world.users[kind]) == (kind == "platform_admin")


# ---------------------------------------------------------------------------------------------
# The platform's review page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pending(world):
    org = f.OrganizationFactory(
        code="ent-pending",
        name="待审企业",
        kind=Organization.Kind.ENTERPRISE,
        credit_code=f.credit_code(10),
    )
    registrant = f.UserFactory(username="registrant")
    f.membership(registrant, org, Membership.Role.ADMIN)
    return org


def test_review__platform_admin_verifies(client, world, pending):
    admin = world.users["platform_admin"]
    client.force_login(admin)
    page = client.get(reverse("account-enterprise-review"))
    assert page.status_code == 200
    assert b'data-org="ent-pending"' in page.content
    response = client.post(reverse("account-enterprise-verify", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verified_at is not None and pending.verified_by == admin
    assert policy.applicant_verified(User.objects.get(username="registrant"))
    assert client.get(reverse("account-enterprise-review")).context["pending"].paginator.count == 0


def test_review__verifying_twice_or_an_agency_is_refused(client, world, pending):
    client.force_login(world.users["platform_admin"])
    client.post(reverse("account-enterprise-verify", args=[pending.pk]))
    assert client.post(reverse("account-enterprise-verify", args=[pending.pk])).status_code == 400
    agency = world.provider
    assert client.post(reverse("account-enterprise-verify", args=[agency.pk])).status_code == 404
    assert client.post(reverse("account-enterprise-verify", args=[99999])).status_code == 404
    agency.refresh_from_db()
    assert agency.verified_at is None


def test_review__unverify(client, world):
    client.force_login(world.users["platform_admin"])
    url = reverse("account-enterprise-unverify", args=[world.enterprise.pk])
    assert client.post(url).status_code == 302
    world.enterprise.refresh_from_db()
    assert world.enterprise.verified_at is None and world.enterprise.verified_by is None
    assert not policy.applicant_verified(User.objects.get(pk=world.users["grantee"].pk))
    assert client.post(url).status_code == 400


def test_review__reject_mails_the_reason_and_frees_the_code(client, world, pending):
    client.force_login(world.users["platform_admin"])
    url = reverse("account-enterprise-reject", args=[pending.pk])
    response = client.post(url, {"reason": "营业执照与名称不符"})
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=pending.pk).exists()
    assert not Membership.objects.filter(organization_id=pending.pk).exists()
    assert User.objects.filter(username="registrant").exists()
    (message,) = mail.outbox
    assert message.to == ["registrant@example.cn"]
    assert "营业执照与名称不符" in message.body and "待审企业" in message.body
    client.logout()
    again = f.enterprise_signup(credit_code=f.credit_code(10))
    assert client.post(reverse("account-register-enterprise"), again).status_code == 302


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_review__reject_without_a_proper_reason_is_400(client, world, pending, reason):
    client.force_login(world.users["platform_admin"])
    response = client.post(
        reverse("account-enterprise-reject", args=[pending.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    assert Organization.objects.filter(pk=pending.pk).exists()
    assert mail.outbox == []


def test_review__a_verified_enterprise_is_not_rejected(client, world):
    client.force_login(world.users["platform_admin"])
    url = reverse("account-enterprise-reject", args=[world.enterprise.pk])
    assert client.post(url, {"reason": "不符"}).status_code == 400
    assert Organization.objects.filter(pk=world.enterprise.pk).exists()


@pytest.mark.parametrize(
    "kind", [k for k in USER_KINDS if k not in ("platform_admin", "anonymous")]
)
@pytest.mark.parametrize("action", ["verify", "reject", "unverify"])
def test_review__everyone_else_is_refused_403(client, world, pending, kind, action):
    client.force_login(world.users[kind])
    assert client.get(reverse("account-enterprise-review")).status_code == 403
    target = world.enterprise if action == "unverify" else pending
    url = reverse(f"account-enterprise-{action}", args=[target.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    target.refresh_from_db()
    assert (target.verified_at is None) == (target is pending)


def test_review__anonymous_is_sent_to_log_in(client, world, pending):
    response = client.get(reverse("account-enterprise-review"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("account-enterprise-verify", args=[pending.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    pending.refresh_from_db()
    assert pending.verified_at is None


def test_review__safe_methods_do_not_change_anything(client, world, pending):
    client.force_login(world.users["platform_admin"])
    assert client.get(reverse("account-enterprise-verify", args=[pending.pk])).status_code == 405
    pending.refresh_from_db()
    assert pending.verified_at is None


def test_review__page_queries_do_not_grow_with_the_list(
    client, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["platform_admin"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("account-enterprise-review")).status_code == 200
        return len(ctx)

    for n in range(2):
        f.OrganizationFactory(kind=Organization.Kind.ENTERPRISE, credit_code=f.credit_code(100 + n))
    few = count()
    for n in range(2, 30):
        org = f.OrganizationFactory(
            kind=Organization.Kind.ENTERPRISE, credit_code=f.credit_code(100 + n)
        )
        if n % 2:  # half of them verified, by someone the page names
            org.verified_by = world.users["platform_admin"]
            org.save()
            f.verify(org)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("account-enterprise-review")).status_code == 200


# ---------------------------------------------------------------------------------------------
# Unverified enterprises are not public
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", USER_KINDS)
def test_unverified_enterprise_is_listed_only_for_staff_and_its_members(
    client, world, pending, kind
):
    user = world.users[kind]
    if kind != "anonymous":
        client.force_login(user)
    may_see = kind in ("platform_admin", "auditor")
    html = client.get(reverse("catalog:organization-list")).content.decode()
    api = client.get("/api/v1/organizations/").json()
    codes = {row["code"] for row in api["results"]}
    assert ("ent-pending" in html) == may_see
    assert ("ent-pending" in codes) == may_see
    assert world.enterprise.code in codes  # verified enterprises are public
    detail = client.get(reverse("catalog:organization-detail", args=["ent-pending"]))
    assert detail.status_code == (200 if may_see else 404)
    assert client.get("/api/v1/organizations/ent-pending/").status_code == (200 if may_see else 404)


def test_unverified_enterprise_is_visible_to_its_own_members(client, pending):
    client.force_login(User.objects.get(username="registrant"))
    assert (
        client.get(reverse("catalog:organization-detail", args=["ent-pending"])).status_code == 200
    )


# ---------------------------------------------------------------------------------------------
# The account page
# ---------------------------------------------------------------------------------------------


def test_account_page_needs_a_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_account_page_shows_verification_and_the_review_link_for_admins(client, world):
    client.force_login(world.users["grantee"])
    page = client.get(reverse("account")).content.decode()
    assert 'data-state="applicant-verified"' in page
    assert reverse("account-enterprise-review") not in page
    client.force_login(world.users["platform_admin"])
    assert reverse("account-enterprise-review") in client.get(reverse("account")).content.decode()
