"""Account pages: log in (with the limit on failed attempts), registration, e-mail
confirmation, the account overview, API keys, and the platform's enterprise review.

Thin views: forms check input, ``grading.accounts.services`` and ``grading.accounts.apikeys``
write, and ``grading.policy`` decides who may do what.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Organization
from grading import policy
from grading.accounts import apikeys
from grading.accounts import services as accounts
from grading.accounts.forms import (
    APIKeyForm,
    EnterpriseRegistrationForm,
    IndividualRegistrationForm,
    LoginForm,
    RejectionForm,
)
from portal import links
from portal.clients import client_ip
from portal.errors import render_error

BACKEND = "grading.accounts.ThrottledModelBackend"


class BadInputIs400:
    """A refused form answers 400 (bad input), not 200, on Django's account pages."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChangeView(BadInputIs400, auth_views.PasswordChangeView):
    """Change one's password (old one, new one twice, checked by the password validators)."""


class PasswordResetView(BadInputIs400, auth_views.PasswordResetView):
    """Ask for a password-reset link by e-mail (the same answer whether or not it is known).
    Past the limit per address and per e-mail address the answer stays the same, but no mail
    is sent. The link in the mail is on SITE_URL, never on the Host header of the request."""

    @property
    def extra_email_context(self) -> dict:
        host = links.site_host()
        protocol = "https" if links.site_is_https() else "http"
        return {"domain": host, "site_name": host, "protocol": protocol}

    def form_valid(self, form):
        allowed = accounts.password_reset_allowed(
            address=client_ip(self.request), email=form.cleaned_data["email"]
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(BadInputIs400, auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link."""


class LoginView(BadInputIs400, auth_views.LoginView):
    """Django's login page, answering 429 while the user name is locked out for this address."""

    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        locked = self._lock(request)
        if locked:
            return locked
        response = super().post(request, *args, **kwargs)
        if response.status_code == 400:  # the form was refused: this may have been the last try
            return self._lock(request) or response
        return response

    def _lock(self, request):
        username = request.POST.get("username", "")
        lock = accounts.login_lock(username=username, address=client_ip(request))
        if lock is None:
            return None
        minutes = max(1, round(lock.retry_after / 60))
        message = _(
            "Too many failed logins for this user name. Try again in %(minutes)d minutes, or "
            "reset your password."
        ) % {"minutes": minutes}
        response = render_error(request, 429, message)
        response["Retry-After"] = str(lock.retry_after)
        return response


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form (per field where it names one)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_safe
def register(request):
    """Choose how to register: as an individual or for an enterprise."""
    return render(request, "grading/accounts/register.html")


def _registration(request, form_class, template, create):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = create(form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Welcome. We sent a confirmation link to %(email)s.") % {"email": user.email},
            )
            return redirect("account")
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)


def register_individual(request):
    """Register as an individual; the account is verified once the e-mail link is opened."""

    def create(data):
        return accounts.individual_register(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            site_url=links.site_origin(),
        )

    return _registration(
        request, IndividualRegistrationForm, "grading/accounts/register_individual.html", create
    )


def register_enterprise(request):
    """Register an enterprise; platform staff verify it before it can apply for data."""

    def create(data):
        user, _organization = accounts.enterprise_register(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            name=data["organization_name"],
            credit_code=data["credit_code"],
            site_url=links.site_origin(),
        )
        return user

    return _registration(
        request, EnterpriseRegistrationForm, "grading/accounts/register_enterprise.html", create
    )


@require_safe
def email_confirm(request, token: str):
    """Open a confirmation link: the address is confirmed, or a 400 page says why not."""
    try:
        accounts.email_confirm(token=token)
    except ValidationError as error:
        return render_error(request, 400, " ".join(error.messages))
    messages.success(request, _("Your e-mail address is confirmed."))
    return redirect("account" if request.user.is_authenticated else "login")


@login_required
@require_POST
def email_confirmation_resend(request):
    """Send the confirmation link again to the address on the account."""
    if not request.user.email:
        return render_error(request, 400, _("Your account has no e-mail address."))
    accounts.email_confirmation_send(user=request.user, site_url=links.site_origin())
    messages.success(
        request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email}
    )
    return redirect("account")


@login_required
@require_safe
def account(request):
    """The signed-in user's account: verification state, organizations and links."""
    context = {
        "email_confirmed": policy.email_confirmed(request.user),
        "applicant_verified": policy.applicant_verified(request.user),
        "organizations": Organization.objects.filter(memberships__user=request.user).distinct(),
        "may_verify": policy.can_verify_enterprise(request.user),
    }
    return render(request, "grading/accounts/account.html", context)


# ---------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the portal's time zone (the key works all that day)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@login_required
def api_keys(request):
    """My API keys: the list, and a form that creates one (its text is shown once)."""
    form = APIKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["expires_on"]
        try:
            key, text = apikeys.api_key_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=_end_of(day) if day else None,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            created = {"key": key, "text": text}
            form = APIKeyForm()
    context = {
        "form": form,
        "created": created,
        "keys": apikeys.api_keys_of(user=request.user)[:100],
        "now": timezone.now(),
    }
    status = 400 if request.method == "POST" and created is None else 200
    response = render(request, "grading/accounts/api_keys.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a key's full text
    return response


@login_required
@require_POST
def api_key_revoke(request, pk: int):
    """Revoke one of my keys; someone else's key is not found (404)."""
    try:
        key = apikeys.api_key_revoke(user=request.user, key_id=pk)
    except apikeys.APIKey.DoesNotExist:
        return render_error(request, 404, _("No such API key."))
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("account-api-keys")


# ---------------------------------------------------------------------------------------------
# The platform's review of registered enterprises
# ---------------------------------------------------------------------------------------------


def _require_verifier(request) -> None:
    if not policy.can_verify_enterprise(request.user):
        raise PermissionDenied(_("Only platform administrators review enterprise registrations."))


@login_required
@require_safe
def enterprise_review(request):
    """Enterprises waiting for verification (oldest first), and the verified ones."""
    _require_verifier(request)
    enterprises = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
    pending = Paginator(
        enterprises.filter(verified_at__isnull=True)
        .order_by("id")
        .prefetch_related("memberships__user"),
        50,
    )
    verified = enterprises.filter(verified_at__isnull=False).select_related("verified_by")
    page = pending.get_page(request.GET.get("page"))
    for organization in page:
        organization.evidence = _registration_evidence(organization)
    context = {
        "pending": page,
        "verified": verified.order_by("-verified_at", "-id")[:50],
        "rejection_form": RejectionForm(),
    }
    return render(request, "grading/accounts/enterprise_review.html", context)


def _registration_evidence(organization) -> dict:
    """What the reviewer checks a registration against: the credit code's check character
    (GB 32100-2015), who registered it, with which e-mail address and whether it is confirmed."""
    from catalog.validators import validate_credit_code

    try:
        validate_credit_code(organization.credit_code or "")
        code_valid = True
    except ValidationError:
        code_valid = False
    people = [
        {
            "username": m.user.get_username(),
            "email": m.user.email,
            "confirmed": policy.email_confirmed(m.user),
            "joined": m.user.date_joined,
            "role": m.get_role_display(),
        }
        for m in organization.memberships.all()
    ]
    return {"code_valid": code_valid, "people": people}


def _enterprise_action(request, pk: int, service, done: str, **kwargs):
    _require_verifier(request)
    organization = get_object_or_404(Organization, pk=pk, kind=Organization.Kind.ENTERPRISE)
    name = organization.name
    try:
        service(actor=request.user, organization=organization, **kwargs)
    except ValidationError as error:
        return render_error(request, 400, " ".join(error.messages))
    messages.success(request, done % {"name": name})
    return redirect("account-enterprise-review")


@login_required
@require_POST
def enterprise_verify(request, pk: int):
    """Verify a registered enterprise."""
    return _enterprise_action(request, pk, accounts.enterprise_verify, _("“%(name)s” is verified."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enterprise_unverify(request, pk: int):
    """Withdraw an enterprise's verification: a page that says what follows and asks for
    confirmation (GET), then the withdrawal (POST)."""
    if request.method != "POST":
        _require_verifier(request)
        organization = get_object_or_404(
            Organization, pk=pk, kind=Organization.Kind.ENTERPRISE, verified_at__isnull=False
        )
        context = {"organization": organization, "members": organization.memberships.count()}
        return render(request, "grading/accounts/enterprise_unverify.html", context)
    return _enterprise_action(
        request, pk, accounts.enterprise_unverify, _("“%(name)s” is no longer verified.")
    )


@login_required
@require_POST
def enterprise_reject(request, pk: int):
    """Reject a pending registration, with a reason sent to the registrant."""
    _require_verifier(request)
    form = RejectionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("State the reason for the rejection."))
    return _enterprise_action(
        request,
        pk,
        accounts.enterprise_reject,
        _("The registration of “%(name)s” is rejected."),
        reason=form.cleaned_data["reason"],
    )
