"""Data resource catalogue entries: the entry, its dictionary fields, its distributions and
their stored versions, and the versions of the entry's metadata."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models.organizations import Organization, Theme, UpdateCycle, localized
from catalog.validators import CleanTextModel
from grading.grades import Grade, Tier


class Resource(CleanTextModel, models.Model):
    """A data resource catalogue entry (公共数据资源目录条目)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(_("catalogue code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"))
    abstract_en = models.TextField(_("English abstract"), blank=True)
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="resources", verbose_name=_("provider")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="resources", verbose_name=_("theme")
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated.")
    )
    format = models.CharField(_("format"), max_length=20, db_index=True)
    update_cycle = models.CharField(
        _("update cycle"), max_length=20, choices=UpdateCycle.choices, db_index=True
    )
    issued = models.DateField(_("issued"), null=True, blank=True)
    # Never NULL: it is the default keyset ordering, and NULLs would fall out of cursor pages.
    modified = models.DateField(_("modified"), default=timezone.localdate)
    record_count = models.PositiveBigIntegerField(_("record count"), default=0)
    open_conditions = models.TextField(_("conditions of access"), blank=True)
    spatial = models.CharField(_("spatial coverage"), max_length=200, blank=True)
    temporal = models.CharField(_("temporal coverage"), max_length=200, blank=True)
    license = models.CharField(_("licence"), max_length=200, blank=True)
    tier = models.CharField(_("openness tier"), max_length=20, choices=Tier.choices)
    grade = models.CharField(
        _("security grade"),
        max_length=2,
        choices=Grade.choices,
        default=Grade.L1,
        help_text=_("Derived: the highest grade of the resource's fields."),
    )
    authorized_operation = models.BooleanField(_("in authorized-operation scope"), default=False)
    # On the high-value dataset list (高价值数据清单), set by the providing agency.
    high_value = models.BooleanField(_("high-value dataset"), default=False)
    # Kept current by ``catalog.services.resource_refresh_quality`` (see ``catalog.quality``);
    # the timeliness part changes as time passes: ``manage.py refresh_quality``.
    quality_score = models.PositiveSmallIntegerField(_("quality score"), default=0)
    quality_missing = models.JSONField(_("quality criteria missed"), default=list, blank=True)
    # When the next update is due: ``modified`` plus the update cycle's allowance; NULL for
    # irregular updates, which are never overdue.
    update_due = models.DateField(_("next update due"), null=True, blank=True)
    # Uses in all, kept by ``catalog.engagement.services`` beside the per-day counts: shown on
    # the entry page without a query, and the catalogue's "most downloaded" order.
    view_count = models.PositiveBigIntegerField(_("page views"), default=0)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0)
    api_call_count = models.PositiveBigIntegerField(_("API calls"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Why a reviewer returned or withdrew the entry; cleared on the next submission.
    status_reason = models.TextField(_("reason for the last decision"), blank=True, default="")
    # Segmented text for full-text search, written by the services through catalog.search.
    search_title = models.TextField(default="", blank=True, editable=False)
    search_body = models.TextField(default="", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-modified", "-id"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")
        indexes = [
            models.Index(fields=["status", "tier"], name="resource_status_tier"),
            # Newest-first listings walk this index and check the public-access columns in it,
            # without reading the (wide) rows they skip.
            models.Index(
                fields=["-modified", "-id", "status", "tier", "grade"],
                name="resource_modified_access",
            ),
            # Search results are id sets: this index answers the access check, the sort key and
            # every facet column for an id without reading the row itself.
            models.Index(
                fields=[
                    "id",
                    "status",
                    "tier",
                    "grade",
                    "modified",
                    "theme",
                    "provider",
                    "format",
                    "update_cycle",
                ],
                name="resource_by_id_covering",
            ),
            # The catalogue sorted by quality (keyset pages over this index) and filtered by a
            # minimum score.
            models.Index(fields=["-quality_score", "-id"], name="resource_quality"),
            # The catalogue sorted by downloads (keyset pages over this index).
            models.Index(fields=["-download_count", "-id"], name="resource_downloads"),
            # The agency dashboard: each provider's entries by due date (overdue first).
            models.Index(fields=["provider", "update_due"], name="resource_provider_due"),
            models.Index(
                fields=["theme", "id"],
                name="resource_high_value",
                condition=models.Q(high_value=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_abstract(self) -> str:
        return localized(self, "abstract")

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Field(CleanTextModel, models.Model):
    """A data-dictionary item (信息项) of a resource, graded on its own."""

    class DataType(models.TextChoices):
        STRING = "string", _("Text")
        INTEGER = "integer", _("Integer")
        DECIMAL = "decimal", _("Decimal")
        DATE = "date", _("Date")
        DATETIME = "datetime", _("Date and time")
        BOOLEAN = "boolean", _("Yes/no")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    data_type = models.CharField(_("type"), max_length=20, choices=DataType.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    grade = models.CharField(_("security grade"), max_length=2, choices=Grade.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["resource", "position", "id"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["resource", "name_en"], name="field_unique_name_en")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.name_en})"


class Distribution(CleanTextModel, models.Model):
    """A way to get the data: a stored file, an API endpoint or an external link."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        API = "api", _("API")
        LINK = "link", _("Link")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="distributions")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FILE)
    format = models.CharField(_("format"), max_length=20)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    # Stored outside the static tree; only the policy-checked download view serves it.
    file = models.FileField(_("file"), upload_to="distributions/%Y/%m/", blank=True)
    url = models.URLField(_("URL"), blank=True)
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The number of the file version stored in ``file``; earlier ones are DistributionVersions.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The entry's grade when the file was checked against its data dictionary (every column a
    # graded field): the grade of the file's content. Blank for files not checked on upload.
    content_grade = models.CharField(
        _("grade of the content"), max_length=2, choices=Grade.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource", "id"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return self.title


class DistributionVersion(models.Model):
    """An earlier file of a distribution, kept when a newer one was uploaded. Served only by
    the policy-checked download view, like the current file."""

    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="distributions/%Y/%m/")
    format = models.CharField(_("format"), max_length=20)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content_grade = models.CharField(
        _("grade of the content"), max_length=2, choices=Grade.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["distribution", "-number"]
        verbose_name = _("distribution version")
        verbose_name_plural = _("distribution versions")
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "number"], name="distribution_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.distribution_id} v{self.number}"


class ResourceVersion(models.Model):
    """One change to a resource after its publication: who, when, and what changed, field by
    field (``changes`` is a list of ``{"part", "name", "before", "after", "graded"}``; entries
    with ``graded`` set concern security grades and are shown only where the policy allows)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    summary = models.CharField(_("summary"), max_length=300)
    changes = models.JSONField(_("changes"), default=list)
    # Kept while everyone could see the entry, before and after the change. Versions kept while
    # it was restricted stay with its agency even once the entry is opened.
    public = models.BooleanField(_("kept while public"), default=False)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="resource_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"
