"""Who is who, and what they hold: memberships, platform roles, grants and agreements.

These rows are facts the rule-book reads; ``grading.policy`` alone turns them into decisions.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class Membership(models.Model):
    """A user's role inside an organization (agency staff or enterprise staff)."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        REVIEWER = "reviewer", _("Reviewer")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "catalog.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class PlatformRole(models.Model):
    """A role on the platform itself: administrators (staff) and read-only auditors."""

    class Role(models.TextChoices):
        PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
        AUDITOR = "auditor", _("Auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("platform role")
        verbose_name_plural = _("platform roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="platform_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Grant(models.Model):
    """Permission to use conditional resources, issued when an approved application is accepted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="grants")
    allow_download = models.BooleanField(_("may download"), default=False)
    allow_query = models.BooleanField(_("may query"), default=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    quota = models.PositiveIntegerField(
        _("quota"),
        null=True,
        blank=True,
        help_text=_("Downloads and queries allowed; empty: no limit."),
    )
    used = models.PositiveIntegerField(_("used"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["grantee", "status"], name="grant_grantee_status")]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.grantee}"


class Agreement(CleanTextModel, models.Model):
    """An authorized-operation agreement (授权运营协议) between the platform and an operator."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    operator = models.ForeignKey(
        "catalog.Organization", on_delete=models.PROTECT, related_name="agreements"
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="agreements")
    purposes = models.TextField(_("permitted purposes"))
    fee_cap = models.DecimalField(_("fee cap (CNY)"), max_digits=12, decimal_places=2)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authorized-operation agreement")
        verbose_name_plural = _("authorized-operation agreements")

    def __str__(self) -> str:
        return f"#{self.pk} · {self.operator}"


class Application(CleanTextModel, models.Model):
    """An application for conditional data (有条件开放申请); its states are in DESIGN §3 and its
    transitions in ``grading.applications.services``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        CHECKED = "checked", _("Formally checked")
        NEED_INFO = "need_info", _("More information needed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        GRANTED = "granted", _("Agreement accepted, grant issued")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    provider = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="applications_received",
        help_text=_("The agency whose resources are requested; it reviews the application."),
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="applications")
    purpose = models.TextField(_("purpose"))
    scenario = models.TextField(_("application scenario"))
    want_download = models.BooleanField(_("download"), default=False)
    want_query = models.BooleanField(_("query"), default=False)
    term_days = models.PositiveIntegerField(_("term (days)"))
    undertaking_accepted_at = models.DateTimeField(
        _("security undertaking accepted at"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0, editable=False)
    reason = models.TextField(_("reason or question"), blank=True)
    grant = models.OneToOneField(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["applicant", "-id"], name="application_applicant"),
            models.Index(fields=["status", "due_on"], name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.applicant}"


class Notice(models.Model):
    """An in-app notice to a user about a decision on something of theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["user", "-id"], name="notice_user")]

    def __str__(self) -> str:
        return self.text


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One row of the hash-chained audit log (存证). Appended by ``grading.audit.record`` only;
    never updated or deleted by the application.

    ``alg`` names how ``hash`` was computed: rows written before keyed hashing keep the plain
    SHA-256 they were written with (and are verified as before); new rows carry an HMAC-SHA256
    under a key held outside the database (``AUDIT_HMAC_KEY``)."""

    class Alg(models.TextChoices):
        SHA256 = "sha256", "SHA-256 (legacy, unkeyed)"
        HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    payload = models.TextField(help_text="Canonical JSON: sorted keys, no spaces, UTF-8.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    alg = models.CharField(
        max_length=20, choices=Alg.choices, default=Alg.HMAC_SHA256, editable=False
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


# ---------------------------------------------------------------------------------------------
# Accounts and API keys
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Feedback: corrections, data requests and rights complaints
# ---------------------------------------------------------------------------------------------


class Feedback(CleanTextModel, models.Model):
    """Feedback addressed to an agency (DESIGN §3): a correction (纠错) or a rights complaint
    (权益申诉) about one of its resources, or a request for data not yet open (开放需求). Its
    transitions are in ``grading.feedback.services``; an upheld complaint suspends access (the
    policy)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        REQUEST = "request", _("Data request")
        COMPLAINT = "complaint", _("Rights complaint")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        UPHELD = "upheld", _("Upheld: access suspended")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
    )
    agency = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="feedback_received",
        help_text=_("The agency that answers: the resource's provider, or the one addressed."),
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    title = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    evidence = models.FileField(_("evidence"), upload_to="feedback/%Y/%m/", blank=True)
    answer = models.TextField(_("answer"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    # A random key of the form that sent this row: a resent form finds the row it created.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="feedback_submission_once",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="feedback_inbox"),
            models.Index(fields=["resource", "status"], name="feedback_resource"),
            models.Index(fields=["kind", "status"], name="feedback_kind_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.title}"
