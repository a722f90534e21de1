"""The two catalogues: organizations, themes, data resources with their dictionaries and
distributions, and data products.

Models hold data only. Writes go through ``catalog.services``; reads through
``catalog.selectors``; who may see or use what is decided by ``grading.policy``, which reads
these models (they import nothing from it).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel, validate_credit_code
from grading.grades import Grade, Tier


def _localized(obj, field: str) -> str:
    """The English variant of ``field`` when English is active and it is filled in."""
    if (get_language() or "").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class Organization(CleanTextModel, models.Model):
    """A government agency (数据提供方) or an enterprise (法人), including authorized operators."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Government agency")
        ENTERPRISE = "enterprise", _("Enterprise")

    code = models.SlugField(_("short code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    description = models.TextField(_("description"), blank=True)
    homepage = models.URLField(_("homepage"), blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # Enterprises registered on the portal apply for conditional data only once platform staff
    # have checked them (grading.accounts.enterprise_verify); agencies are never self-registered.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _localized(self, "name")


class Theme(CleanTextModel, models.Model):
    """A data domain (数据领域); themes may nest."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _localized(self, "name")


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
        return _localized(self, "title")

    @property
    def display_abstract(self) -> str:
        return _localized(self, "abstract")

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


class RowTable(models.Model):
    """The rows of a resource's tabular (CSV) distribution, loaded into the database for the
    row API and the preview. One per resource: loading a newer file replaces it. Written only
    by ``catalog.services.rows_load``; who may read which columns is the policy's question."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="row_table")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="+")
    row_count = models.PositiveIntegerField(_("rows loaded"), default=0)
    # The file had more rows than ``settings.ROWS_MAX_LOADED``; only that many were loaded.
    truncated = models.BooleanField(_("truncated"), default=False)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("row table")
        verbose_name_plural = _("row tables")

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.row_count}"


class Row(models.Model):
    """One data row: its number in the file (1 = first line after the header) and its values
    keyed by the dictionary field's English name. Empty cells and columns that are not in the
    data dictionary are left out, so a missing key means "no value"."""

    table = models.ForeignKey(RowTable, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["table", "number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="row_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.table_id}#{self.number}"


class Product(CleanTextModel, models.Model):
    """A data product or service (数据产品), listed only after compliance review."""

    class Type(models.TextChoices):
        DATASET = "dataset", _("Dataset")
        DATA_SERVICE = "data_service", _("Data service")
        API = "api", _("API")
        IMAGERY = "imagery", _("Satellite imagery")
        REPORT = "report", _("Report")
        MODEL = "model", _("Model")
        VERIFICATION = "verification", _("Verification service")
        INDEX = "index", _("Index")

    class Delivery(models.TextChoices):
        API = "api", _("API call")
        FILE = "file", _("File delivery")
        ONLINE = "online", _("Online service")
        SANDBOX = "sandbox", _("Privacy-preserving sandbox")

    class Purpose(models.TextChoices):
        PUBLIC_INTEREST = "public_interest", _("Public interest (free)")
        INDUSTRY = "industry", _("Industry (priced)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        COMPLIANCE_REVIEW = "compliance_review", _("Under compliance review")
        LISTED = "listed", _("Listed")
        DELISTED = "delisted", _("Delisted")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(_("product code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    product_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products", verbose_name=_("provider")
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("theme"),
    )
    source_resources = models.ManyToManyField(
        Resource, blank=True, related_name="products", verbose_name=_("source resources")
    )
    scenarios = models.JSONField(_("application scenarios"), default=list, blank=True)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=UpdateCycle.choices
    )
    purpose = models.CharField(_("purpose class"), max_length=20, choices=Purpose.choices)
    price_terms = models.CharField(_("price terms"), max_length=300, blank=True)
    price = models.DecimalField(
        _("price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(_("reason for the last decision"), blank=True)
    registration_code = models.CharField(_("registration code"), max_length=64, blank=True)
    evidence_hash = models.CharField(_("evidence hash"), max_length=64, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    search_title = models.TextField(default="", blank=True, editable=False)
    search_body = models.TextField(default="", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-listed_at", "-id"]
        verbose_name = _("data product")
        verbose_name_plural = _("data products")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _localized(self, "name")


class HarvestRecord(models.Model):
    """Where a harvested entry came from: the source (its URL, or the file's URI, or a name
    given by the operator) and the entry's identity there (a CKAN package id, a DCAT dataset
    IRI), with a hash of what was last imported. ``manage.py harvest`` reads it to update a
    changed entry instead of importing it twice, and to skip unchanged ones."""

    source = models.CharField(_("source"), max_length=500)
    remote_id = models.CharField(_("identity at the source"), max_length=500)
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="harvest_record"
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    harvested_at = models.DateTimeField(_("harvested at"), auto_now=True)

    class Meta:
        verbose_name = _("harvest record")
        verbose_name_plural = _("harvest records")
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="harvest_unique_remote")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.remote_id}"
