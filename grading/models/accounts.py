"""Accounts: confirmed e-mail addresses and API keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class ConfirmedEmail(models.Model):
    """An e-mail address its user proved to own by opening a signed confirmation link.

    An individual counts as verified while the address on their account is confirmed; changing
    the address on the account therefore needs a new confirmation.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="confirmed_emails"
    )
    email = models.EmailField(_("e-mail address"))
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("confirmed e-mail address")
        verbose_name_plural = _("confirmed e-mail addresses")
        constraints = [
            models.UniqueConstraint(fields=["user", "email"], name="confirmed_email_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.email}"


class APIKey(CleanTextModel, models.Model):
    """A key for calling the API as its user. Only a SHA-256 of the secret is stored; the short
    public prefix finds the row, and the full key is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        indexes = [models.Index(fields=["user", "-created_at"], name="apikey_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
