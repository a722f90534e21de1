"""Forms of the account pages. They check input shape; the services write and re-check."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Organization
from catalog.validators import USCC_LENGTH, validate_credit_code, validate_plain_text


class IndividualRegistrationForm(UserCreationForm):
    """User name, e-mail address and password (checked by Django's password validators)."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class CreditCodeField(forms.CharField):
    """A unified social credit code: spaces dropped, letters upper-cased, then checked."""

    def to_python(self, value):
        return "".join((super().to_python(value) or "").split()).upper()


class EnterpriseRegistrationForm(IndividualRegistrationForm):
    """An individual's fields for the account holder, plus the enterprise's name and code."""

    organization_name = forms.CharField(
        label=_("Enterprise name"), max_length=200, validators=[validate_plain_text]
    )
    credit_code = CreditCodeField(
        label=_("Unified social credit code"),
        max_length=USCC_LENGTH + 8,  # room for spaces pasted in; the validator wants 18
        validators=[validate_credit_code],
        help_text=_("18 characters, as on the business licence."),
    )

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"]
        if Organization.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(
                _("An organization with this credit code is already registered.")
            )
        return code


class RejectionForm(forms.Form):
    """Why a registration is refused; sent to the enterprise's administrators."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea)


class APIKeyForm(forms.Form):
    """A name for the new key and, optionally, the last day it works."""

    name = forms.CharField(label=_("Name"), max_length=100)
    expires_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The expiry must lie in the future."))
        return day


class LoginForm(AuthenticationForm):
    """Django's login form with the portal's labels and its own message for a wrong user name
    or password (translated like every other message of the site; Django's names the user
    name field by the user model's verbose name)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is not correct."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
