"""Account services: registration of individuals and enterprises, e-mail confirmation, the
platform's check of registered enterprises, and the limit on failed logins.

Who counts as a verified applicant is decided by ``grading.policy.applicant_verified``; this
module only writes the facts it reads (a confirmed address, an enterprise's ``verified_at``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organization
from catalog.validators import validate_credit_code
from grading import audit, policy
from grading.models import ConfirmedEmail, Membership
from portal.cache import catalog_changed, counters
from portal.clients import client_ip

User = get_user_model()
CONFIRMATION_SALT = "grading.accounts.email-confirmation"


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


def _check_new_user(*, username: str, email: str, password: str) -> User:
    """An unsaved user with these credentials, or ValidationError naming what is wrong."""
    if not email:
        raise ValidationError({"email": _("An e-mail address is required.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    user = User(username=username, email=email)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    return user


def individual_register(*, username: str, email: str, password: str, site_url: str) -> User:
    """Create an individual's account and send the link that confirms its e-mail address.

    ``site_url`` is the portal's address (scheme and host) used in the link. The individual is
    a verified applicant once the address is confirmed (``email_confirm``). The mail goes out
    once the account is written.
    """
    with transaction.atomic():
        user = _check_new_user(username=username, email=email, password=password)
        user.save()
    email_confirmation_send(user=user, site_url=site_url)
    return user


def enterprise_register(
    *, username: str, email: str, password: str, name: str, credit_code: str, site_url: str
) -> tuple[User, Organization]:
    """Register an enterprise: its account holder (made its administrator) and the
    ``Organization`` with its unified social credit code, waiting for the platform's check;
    return both.

    The code must be well formed (GB 32100-2015 check character) and not registered yet. The
    account holder is sent the link that confirms their e-mail address.
    """
    with transaction.atomic():
        user, organization = _enterprise_create(
            username=username, email=email, password=password, name=name, credit_code=credit_code
        )
    email_confirmation_send(user=user, site_url=site_url)
    return user, organization


def _enterprise_create(
    *, username: str, email: str, password: str, name: str, credit_code: str
) -> tuple[User, Organization]:
    credit_code = credit_code.strip().upper()
    validate_credit_code(credit_code)
    if Organization.objects.filter(credit_code=credit_code).exists():
        raise ValidationError(
            {"credit_code": _("An organization with this credit code is already registered.")}
        )
    user = _check_new_user(username=username, email=email, password=password)
    user.save()
    organization = Organization(
        code=f"ent-{credit_code.lower()}",
        name=name.strip(),
        kind=Organization.Kind.ENTERPRISE,
        credit_code=credit_code,
    )
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
    transaction.on_commit(catalog_changed)
    return user, organization


# ---------------------------------------------------------------------------------------------
# E-mail confirmation
# ---------------------------------------------------------------------------------------------


def email_confirmation_token(*, user) -> str:
    """A signed, timestamped token naming ``user`` and the address now on the account."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=CONFIRMATION_SALT)


def email_confirmation_send(*, user, site_url: str) -> None:
    """Send ``user`` the link that confirms their e-mail address."""
    path = reverse("account-email-confirm", args=[email_confirmation_token(user=user)])
    context = {
        "user": user,
        "link": site_url.rstrip("/") + path,
        "days": settings.EMAIL_CONFIRMATION_MAX_AGE // 86400,
        "portal": settings.PORTAL_NAME,
    }
    subject = _("Confirm your e-mail address at %(portal)s") % {"portal": settings.PORTAL_NAME}
    body = render_to_string("grading/accounts/email_confirmation.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Record the address named by ``token`` as confirmed and return its user.

    Refused (ValidationError) when the token is forged or damaged, older than
    ``EMAIL_CONFIRMATION_MAX_AGE`` seconds, or names an address no longer on the account.
    Confirming twice is harmless.
    """
    try:
        data = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This confirmation link has expired. Log in and ask for a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != data.get("e"):
        raise ValidationError(
            _("This link is for an address that is no longer on the account."), code="stale"
        )
    ConfirmedEmail.objects.get_or_create(
        user=user, email=user.email, defaults={"confirmed_at": timezone.now()}
    )
    return user


# ---------------------------------------------------------------------------------------------
# The platform's check of registered enterprises
# ---------------------------------------------------------------------------------------------


def _enterprise_for(actor, organization: Organization) -> Organization:
    if not policy.can_verify_enterprise(actor):
        raise PermissionDenied(_("Only platform administrators verify enterprises."))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError(_("Only enterprises are verified."), code="not_enterprise")
    return organization


@transaction.atomic
def enterprise_verify(*, actor, organization: Organization) -> Organization:
    """Mark a registered enterprise as checked by ``actor`` (a platform administrator); its
    members become verified applicants and it appears in the public organization list."""
    organization = _enterprise_for(actor, organization)
    if organization.verified_at is not None:
        raise ValidationError(_("This enterprise is already verified."), code="verified")
    organization.verified_at = timezone.now()
    organization.verified_by = actor
    organization.save(update_fields=["verified_at", "verified_by"])
    audit.record(actor=actor, action="enterprise.verify", obj=organization, payload={})
    transaction.on_commit(catalog_changed)
    return organization


@transaction.atomic
def enterprise_unverify(*, actor, organization: Organization) -> Organization:
    """Withdraw an enterprise's verification (platform administrators), e.g. when its
    registration turns out to be wrong; its members can no longer apply as the enterprise."""
    organization = _enterprise_for(actor, organization)
    if organization.verified_at is None:
        raise ValidationError(_("This enterprise is not verified."), code="not_verified")
    organization.verified_at = None
    organization.verified_by = None
    organization.save(update_fields=["verified_at", "verified_by"])
    audit.record(actor=actor, action="enterprise.unverify", obj=organization, payload={})
    transaction.on_commit(catalog_changed)
    return organization


def enterprise_reject(*, actor, organization: Organization, reason: str) -> None:
    """Refuse a pending registration: tell its administrators why and remove the enterprise and
    its memberships, so the credit code can be registered again correctly. The registrants'
    user accounts stay. A verified enterprise, or one already holding data, is not removed."""
    with transaction.atomic():
        name, recipients = _enterprise_remove(actor, organization, reason.strip())
    subject = _("Your enterprise registration was not accepted")
    body = render_to_string(
        "grading/accounts/enterprise_rejected.txt", {"name": name, "reason": reason.strip()}
    )
    send_mail(subject, body, None, recipients)


def _enterprise_remove(actor, organization: Organization, reason: str) -> tuple[str, list[str]]:
    organization = _enterprise_for(actor, organization)
    if not reason:
        raise ValidationError(_("State the reason for the rejection."), code="no_reason")
    if organization.verified_at is not None:
        raise ValidationError(_("A verified enterprise cannot be rejected."), code="verified")
    admins = User.objects.filter(
        memberships__organization=organization, memberships__role=Membership.Role.ADMIN
    ).values_list("email", flat=True)
    recipients = [address for address in admins if address]
    name = organization.name
    audit.record(
        actor=actor,
        action="enterprise.reject",
        obj=organization,
        payload={"name": name, "credit_code": organization.credit_code, "reason": reason},
    )
    try:
        organization.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("This enterprise already holds products or agreements; withdraw those first."),
            code="protected",
        ) from exc
    transaction.on_commit(catalog_changed)
    return name, recipients


# ---------------------------------------------------------------------------------------------
# Failed logins: N failures per user name and address within a window lock that pair out
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLock:
    """A locked (user name, address) pair and the seconds until it opens again."""

    retry_after: int


def _login_key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\x00{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def login_lock(*, username: str, address: str) -> LoginLock | None:
    """The lock on this pair if it has failed ``LOGIN_FAILURE_LIMIT`` times within the last
    ``LOGIN_FAILURE_WINDOW`` seconds, else ``None``."""
    key = _login_key(username, address)
    counts = counters.get_many([key, f"{key}:since"])
    if counts.get(key, 0) < settings.LOGIN_FAILURE_LIMIT:
        return None
    since = counts.get(f"{key}:since", time.time())
    remaining = int(since + settings.LOGIN_FAILURE_WINDOW - time.time()) + 1
    return LoginLock(retry_after=max(remaining, 1))


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failed login for this pair; the window starts at the first failure. The count
    is an atomic increment, so parallel guesses cannot slip past the limit."""
    key = _login_key(username, address)
    window = settings.LOGIN_FAILURE_WINDOW
    counters.add(f"{key}:since", time.time(), timeout=window)
    counters.add(key, 0, timeout=window)
    try:
        counters.incr(key)
    except ValueError:  # expired between add() and incr()
        counters.set(key, 1, timeout=window)


def login_failures_clear(*, username: str, address: str) -> None:
    """Forget the failures of this pair after a successful login."""
    key = _login_key(username, address)
    counters.delete_many([key, f"{key}:since"])


# ---------------------------------------------------------------------------------------------
# Password-reset mails: N requests per address and per e-mail address within a window
# ---------------------------------------------------------------------------------------------


def _window_count(key: str, window: int) -> int:
    """Count one event under ``key``; the count of this window so far (atomic increment)."""
    if counters.add(key, 1, timeout=window):
        return 1
    try:
        return counters.incr(key)
    except ValueError:  # expired between add() and incr()
        counters.set(key, 1, timeout=window)
        return 1


def password_reset_allowed(*, address: str, email: str) -> bool:
    """Count one request for a password-reset mail to ``email`` from ``address``; False once
    either has asked more than ``PASSWORD_RESET_LIMIT`` times within
    ``PASSWORD_RESET_WINDOW`` seconds. Unknown addresses count too, so the limit says nothing
    about which accounts exist."""
    window, limit = settings.PASSWORD_RESET_WINDOW, settings.PASSWORD_RESET_LIMIT
    keys = (f"ip\x00{address}", f"email\x00{email.strip().lower()}")
    counts = [
        _window_count(f"password-reset:{hashlib.sha256(k.encode()).hexdigest()}", window)
        for k in keys
    ]
    return max(counts) <= limit


class ThrottledModelBackend(ModelBackend):
    """Django's user-name and password check, refused outright while the (user name, address)
    pair is locked out. Every login form (the portal's and the admin's) goes through it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if name is None:
            return None
        address = client_ip(request)
        if login_lock(username=name, address=address):
            raise PermissionDenied(_("Too many failed logins."))
        user = super().authenticate(request, username=name, password=password, **kwargs)
        if user is None:
            login_failure_record(username=name, address=address)
        else:
            login_failures_clear(username=name, address=address)
        return user
