"""Writes to the catalogue. Each service checks the rule-book before it writes and does all of
its writes in one transaction, so a refused or failed call leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog import quality, uploads
from catalog.models import (
    Distribution,
    DistributionVersion,
    Field,
    HarvestRecord,
    Organization,
    Product,
    Resource,
    ResourceVersion,
    Row,
    RowTable,
    Theme,
)
from catalog.rows import read_csv
from catalog.search import product_search_columns, resource_search_columns
from catalog.validators import text_errors
from grading import audit, policy
from grading.grades import Grade
from portal.cache import catalog_changed
from portal.transitions import InvalidTransition

if TYPE_CHECKING:
    from catalog.harvest import Link, RemoteEntry

# Metadata an editor may change with ``resource_update``; tier and fields have their own path
# because they move the grade and the ceiling.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "title_en",
        "abstract",
        "abstract_en",
        "theme",
        "keywords",
        "format",
        "update_cycle",
        "issued",
        "modified",
        "record_count",
        "open_conditions",
        "spatial",
        "temporal",
        "license",
        "authorized_operation",
        "high_value",
        "tier",
    }
)
REQUIRED_TO_PUBLISH = ("title", "abstract", "format", "update_cycle")
RS = Resource.Status
# The states each publishing step starts from (the compare-and-set's WHERE status IN ...).
RESOURCE_SOURCES = {
    "submit": (RS.DRAFT,),
    "return": (RS.SUBMITTED,),
    "publish": (RS.SUBMITTED,),
    "withdraw": (RS.PUBLISHED,),
}
VERSIONED_STATES = (RS.PUBLISHED, RS.WITHDRAWN)


# Codes are unique across the catalogue, and whose entry or product holds one (perhaps a draft,
# or a restricted entry of another agency) is nobody else's business: every path that refuses a
# code says only this.
CODE_IN_USE = gettext_lazy("This code is already in use; choose another.")


def code_in_use(model: type[models.Model], code: str) -> bool:
    """Is ``code`` held by an entry (or product) of any organization, visible or not?"""
    return model.objects.filter(code=code).exists()


def _require_free_code(model: type[models.Model], code: str) -> None:
    if code_in_use(model, code):
        raise ValidationError({"code": [CODE_IN_USE]})


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You are not allowed to change this resource."))


@transaction.atomic
def resource_create(
    *,
    actor,
    provider: Organization,
    theme: Theme,
    code: str,
    title: str,
    abstract: str,
    tier: str,
    fields: Iterable[Mapping[str, Any]] = (),
    **metadata: Any,
) -> Resource:
    """Create a draft resource with its data dictionary.

    The grade is derived from the fields; a tier above the grade's ceiling is refused. ``actor``
    must be an editor of ``provider`` (``None`` means a management command run by an operator).
    """
    if actor is not None:
        _require(policy.can_create_resource(actor, provider))
    field_rows = _field_rows(fields)
    grade = policy.derive_grade(f.grade for f in field_rows)
    policy.check_ceiling(grade=grade, tier=tier)
    unknown = set(metadata) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    _require_free_code(Resource, code)
    resource = Resource(
        provider=provider,
        theme=theme,
        code=code,
        title=title,
        abstract=abstract,
        tier=tier,
        grade=grade,
        **metadata,
    )
    _refresh_search_columns(resource)
    _assess(resource, field_rows, [])
    resource.full_clean()
    resource.save()
    _store_fields(resource, field_rows)
    transaction.on_commit(catalog_changed)
    return resource


def _field_rows(fields: Iterable[Mapping[str, Any]]) -> list[Field]:
    """Unsaved dictionary fields, each checked against the model's own rules (type, grade,
    lengths) and English names unique within the resource."""
    rows = [Field(**dict(row)) for row in fields]
    for row in rows:
        row.full_clean(exclude=["resource"], validate_unique=False)
    names = [row.name_en for row in rows]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(
            {"fields": [_("Field names repeated: %(names)s") % {"names": ", ".join(repeated)}]}
        )
    return rows


def _store_fields(resource: Resource, field_rows: list[Field]) -> None:
    for position, field in enumerate(field_rows):
        field.resource = resource
        field.position = field.position or position
    Field.objects.bulk_create(field_rows)


def _same_fields(resource: Resource, field_rows: list[Field]) -> bool:
    def shape(f: Field) -> tuple:
        return (f.name_en, f.name, f.data_type, f.grade, f.description)

    return [shape(f) for f in resource.fields.order_by("position", "id")] == [
        shape(f) for f in field_rows
    ]


@transaction.atomic
def resource_update(
    *,
    actor,
    resource: Resource,
    data: Mapping[str, Any],
    fields: Iterable[Mapping[str, Any]] | None = None,
) -> Resource:
    """Change a resource's metadata (tier included), re-checking the ceiling; with ``fields``,
    the data dictionary is replaced too and the grade derived from it before the check."""
    # The stored row, not the caller's copy, whose grade may be stale.
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if actor is not None:
        _require(policy.can_edit(actor, resource))
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    _require_editable_state(actor, resource)
    before = {"tier": resource.tier, "grade": resource.grade}
    was_public = policy.is_public(resource)
    previous = {name: _plain(getattr(resource, name)) for name in data}
    for name, value in data.items():
        setattr(resource, name, value)
    field_rows = _field_rows(fields) if fields is not None else None
    if field_rows is not None:
        resource.grade = policy.derive_grade(f.grade for f in field_rows)
        _check_column_grades(actor, resource, {f.name_en: f.grade for f in field_rows})
    _check_access_change(actor, resource, before)
    _refresh_search_columns(resource)
    _assess(resource, resource.fields.all() if field_rows is None else field_rows)
    resource.full_clean()
    resource.save()
    changes = [
        _change("metadata", name, previous[name], _plain(getattr(resource, name)))
        for name in data
        if previous[name] != _plain(getattr(resource, name))
    ]
    if field_rows is not None:
        changes += _replace_dictionary(actor, resource, field_rows)
    _audit_grading_change(actor, resource, before)
    record_version(
        actor=actor,
        resource=resource,
        summary=gettext_noop("Metadata changed"),
        changes=changes,
        was_public=was_public,
    )
    transaction.on_commit(catalog_changed)
    return resource


def _check_access_change(actor, resource: Resource, before: Mapping[str, str]) -> None:
    """The ceiling holds for the new tier and grade, and a change of either on a published
    entry is made by someone the policy lets decide it."""
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    if before == {"tier": resource.tier, "grade": resource.grade} or actor is None:
        return
    if not policy.can_change_published_access(actor, resource, dict(before)):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "access"))


def _check_column_grades(actor, resource: Resource, after: Mapping[str, str]) -> None:
    """Refuse a dictionary change that would show a column of a published entry at a lower
    grade than now, unless the policy lets ``actor`` open data further."""
    if actor is None:
        return
    before = _column_grades(resource, after)
    if not policy.can_change_published_fields(actor, resource, before, after):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "access"))


def _column_grades(resource: Resource, names: Iterable[str]) -> dict[str, str]:
    """The grade at which each column of ``resource``'s rows is shown now: its field's grade.
    Values loaded under one of ``names`` that no field declares any more (the field was
    removed or renamed) are shown to no one outside the agency: they count as L4, so that
    declaring the column again is judged like lowering it from L4."""
    grades = dict(resource.fields.values_list("name_en", "grade"))
    rows = Row.objects.filter(table__resource=resource)
    for name in set(names) - set(grades):
        if rows.filter(data__has_key=name).exists():
            grades[name] = Grade.L4
    return grades


def _replace_dictionary(actor, resource: Resource, field_rows: list[Field]) -> list[dict]:
    """Replace the data dictionary of ``resource`` by ``field_rows`` when it differs; audit
    each field's grade change and return the version entries (grades marked as graded)."""
    if _same_fields(resource, field_rows):
        return []
    old = {f.name_en: f for f in resource.fields.all()}
    new = {f.name_en: f for f in field_rows}
    resource.fields.all().delete()
    _store_fields(resource, field_rows)
    changes = []
    for name in sorted(old.keys() | new.keys()):
        before, after = _field_state(old.get(name)), _field_state(new.get(name))
        graded = before.pop("grade", None), after.pop("grade", None)
        if before != after:
            changes.append(_change("field", name, before or None, after or None))
        if graded[0] != graded[1]:
            changes.append(_change("field", f"{name}.grade", *graded, graded=True))
            payload = {"resource": resource.pk, "field": name, "before": graded[0]}
            audit.record(
                actor=actor,
                action="field.grade",
                obj=resource,
                payload={**payload, "after": graded[1]},
            )
    return changes


def _field_state(field: Field | None) -> dict:
    if field is None:
        return {}
    return {name: getattr(field, name) for name in FIELD_ATTRIBUTES if name != "position"}


def resource_refresh_quality(
    *,
    resource: Resource,
    fields: Iterable[Field] | None = None,
    distributions: Iterable[Distribution] | None = None,
    today=None,
) -> Resource:
    """Re-assess ``resource`` on the quality criteria (``catalog.quality``) and store its score,
    the criteria it misses and the date its next update is due. Called by every service that
    changes what the criteria read; ``fields``/``distributions`` spare the queries when the
    caller holds them already."""
    _assess(
        resource,
        resource.fields.all() if fields is None else fields,
        distributions,
        today,
    )
    Resource.objects.filter(pk=resource.pk).update(
        quality_score=resource.quality_score,
        quality_missing=resource.quality_missing,
        update_due=resource.update_due,
    )
    return resource


def _assess(resource: Resource, fields, distributions=None, today=None) -> None:
    """Set the quality columns of ``resource`` (not saved) from its current values."""
    if distributions is None:
        distributions = resource.distributions.all() if resource.pk else []
    found = quality.assess(resource, fields, distributions, today or timezone.localdate())
    resource.quality_score, resource.quality_missing = found.score, found.missing
    resource.update_due = found.update_due


def quality_mark_late(*, today=None) -> int:
    """Take the timeliness points from entries whose next update fell due before ``today``
    and that still hold them; returns how many changed. Time passing is the only thing that
    makes an entry late without a write, so this is all a daily run has to do."""
    today = today or timezone.localdate()
    late = Resource.objects.filter(update_due__lt=today).only("id", "quality_missing")
    batch = []
    for resource in late.order_by("pk").iterator(chunk_size=2000):
        if "timely" in resource.quality_missing:
            continue
        missing = set(resource.quality_missing) | {"timely"}
        resource.quality_missing = [c.key for c in quality.CRITERIA if c.key in missing]
        resource.quality_score = 100 - sum(quality.WEIGHTS[k] for k in missing)
        batch.append(resource)
    for start in range(0, len(batch), 2000):
        _bulk_quality(batch[start : start + 2000], ["quality_score", "quality_missing"])
    if batch:
        transaction.on_commit(catalog_changed)
    return len(batch)


def quality_refresh_all(*, today=None) -> int:
    """Re-assess every entry (after loading rows around the services, or a change of the
    criteria); returns how many entries were assessed."""
    today = today or timezone.localdate()
    queryset = Resource.objects.prefetch_related("fields", "distributions").order_by("pk")
    names = ["quality_score", "quality_missing", "update_due"]
    batch, count = [], 0
    for resource in queryset.iterator(chunk_size=2000):
        found = quality.assess(resource, resource.fields.all(), resource.distributions.all(), today)
        resource.quality_score, resource.quality_missing = found.score, found.missing
        resource.update_due = found.update_due
        batch.append(resource)
        if len(batch) == 2000:
            count += _bulk_quality(batch, names)
            batch = []
    count += _bulk_quality(batch, names)
    transaction.on_commit(catalog_changed)
    return count


def _bulk_quality(batch: list[Resource], names: list[str]) -> int:
    with transaction.atomic():
        Resource.objects.bulk_update(batch, names)
    return len(batch)


def _audit_grading_change(actor, resource: Resource, before: Mapping[str, str]) -> None:
    """Append a tier or grade change of a resource to the audit chain."""
    after = {"tier": resource.tier, "grade": resource.grade}
    if after != before:
        audit.record(
            actor=actor,
            action="resource.grading",
            obj=resource,
            payload={"before": dict(before), "after": after},
        )


def field_set_grade(*, actor, field: Field, grade: str) -> Field:
    """Change one field's grade: :func:`field_save` with the grade alone (the resource's grade
    follows; the ceiling and, on a published entry, the reviewer's say are checked)."""
    return field_save(actor=actor, resource=field.resource, data={"grade": grade}, field=field)


def _refresh_search_columns(resource: Resource) -> None:
    for name, value in resource_search_columns(resource).items():
        setattr(resource, name, value)


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        sha.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


@transaction.atomic
def distribution_add_file(
    *,
    actor,
    resource: Resource,
    title: str,
    name: str,
    stream: IO[bytes],
    fmt: str,
    media_type: str = "",
) -> Distribution:
    """Store a file as a new distribution of ``resource``, recording its size and SHA-256."""
    if actor is not None:
        _require(policy.can_edit(actor, resource))
    if errors := text_errors({"title": title, "media_type": media_type}):
        raise ValidationError(errors)
    sha256, size = _digest(stream)
    distribution = Distribution(
        resource=resource,
        title=title,
        kind=Distribution.Kind.FILE,
        format=fmt.upper(),
        media_type=media_type,
        byte_size=size,
        sha256=sha256,
    )
    distribution.file.save(name, File(stream, name=name), save=False)
    distribution.save()
    if resource.status == Resource.Status.PUBLISHED and _is_csv(distribution):
        try:
            rows_load(distribution=distribution)
        except ValidationError:
            distribution.file.delete(save=False)  # the transaction drops the row; drop the file
            raise
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)
    return distribution


@transaction.atomic
def resource_publish(*, actor, resource: Resource) -> Resource:
    """Publish a submitted resource: reviewer of the providing agency; the ceiling holds, the
    required metadata is present and every file distribution carries a checksum."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if actor is not None and not policy.can_publish(actor, resource):
        raise PermissionDenied(_("Only a reviewer of the providing agency may publish."))
    if resource.status != Resource.Status.SUBMITTED:
        raise InvalidTransition(resource.status, resource.get_status_display())
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    missing = [name for name in REQUIRED_TO_PUBLISH if not getattr(resource, name)]
    if missing:
        raise ValidationError(
            _("Required metadata missing: %(names)s") % {"names": ", ".join(missing)}
        )
    if resource.distributions.filter(kind=Distribution.Kind.FILE, sha256="").exists():
        raise ValidationError(_("Every file distribution needs a checksum before publishing."))
    resource = _move_resource(
        resource,
        RESOURCE_SOURCES["publish"],
        RS.PUBLISHED,
        issued=resource.issued or timezone.localdate(),
    )
    audit.record(actor=actor, action="resource.publish", obj=resource, payload={})
    resource_load_rows(resource=resource)
    return resource


def refresh_statistics() -> None:
    """Let the database re-measure the catalogue tables after a bulk load (``ANALYZE``).

    Without statistics SQLite guesses that ``status = 'published'`` is selective and scans it
    instead of looking up the few ids a search matched; PostgreSQL's autovacuum does this by
    itself eventually, but not right after a million-row load.
    """
    tables = [model._meta.db_table for model in (Resource, Field, Distribution, Product)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")


# ---------------------------------------------------------------------------------------------
# Products (挂牌): draft → submitted → compliance_review → listed → delisted, or rejected
# ---------------------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "product_type",
    "theme_id",
    "scenarios",
    "delivery",
    "update_frequency",
    "purpose",
    "price_terms",
    "price",
)
_EDITABLE_STATES = (Product.Status.DRAFT, Product.Status.REJECTED)
P = Product.Status


class ProductStateError(InvalidTransition):
    """The product is not in a state the action starts from."""


def _product_errors(product: Product, sources: list[Resource]) -> dict[str, list[str]]:
    """What stops ``product`` from being listed: no scenario (无场景不交易), sources outside
    the operator's agreement, missing delivery or terms, or a price breaking the rules."""
    errors: dict[str, list[str]] = {}
    if not [s for s in product.scenarios or [] if str(s).strip()]:
        errors["scenarios"] = [_("State at least one application scenario.")]
    agreement = policy.covering_agreement(product.provider, sources)
    if not sources or agreement is None:
        errors["source_resources"] = [
            _("Cite source resources that your authorized-operation agreement covers.")
        ]
    for name in ("delivery", "update_frequency", "price_terms"):
        if not getattr(product, name):
            errors[name] = [_("This field is required.")]
    price = product.price
    if product.purpose == Product.Purpose.PUBLIC_INTEREST and price not in (None, 0):
        errors["price"] = [_("Public-interest products are free.")]
    elif product.purpose == Product.Purpose.INDUSTRY:
        if price is None or price <= 0:
            errors["price"] = [_("Industry products state a price.")]
        elif agreement is not None and price > agreement.fee_cap:
            errors["price"] = [
                _("The price exceeds the agreement's fee cap of %(cap)s CNY.")
                % {"cap": agreement.fee_cap}
            ]
    elif product.purpose not in Product.Purpose.values:
        errors["purpose"] = [_("Choose the purpose class.")]
    return errors


@transaction.atomic
def product_save(
    *,
    actor,
    organization: Organization,
    data: Mapping[str, Any],
    sources: Iterable[Resource],
    product: Product | None = None,
) -> Product:
    """Create or edit a product of ``organization`` (its staff, under an active agreement);
    only drafts and rejected products can be edited. An existing product is authorized
    against its own provider, never the one a request names, and keeps that provider."""
    if product is not None:
        _require(policy.can_register_product(actor, product.provider))
        if organization.pk != product.provider_id:
            raise ValidationError({"provider": [_("A product's provider cannot be changed.")]})
    _require(policy.can_register_product(actor, organization))
    fields = {k: data[k] for k in PRODUCT_FIELDS if k in data}
    if product is None:
        _require_free_code(Product, fields.get("code", ""))
        product = Product(provider=organization, status=P.DRAFT)
    elif product.status not in _EDITABLE_STATES:
        raise ProductStateError(product.status, product.get_status_display())
    for name, value in fields.items():
        setattr(product, name, value)
    try:
        product.full_clean(exclude=["source_resources", "search_title", "search_body"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    product.__dict__.update(product_search_columns(product))
    product.save()
    product.source_resources.set(list(sources))
    audit.record(
        actor=actor, action="product.save", obj=product, payload={"fields": sorted(fields)}
    )
    transaction.on_commit(catalog_changed)
    return product


def _move_product(product: Product, sources: tuple, target: str, **changes) -> Product:
    moved = Product.objects.filter(pk=product.pk, status__in=sources).update(
        status=target, updated_at=timezone.now(), **changes
    )
    if not moved:
        product.refresh_from_db()
        raise ProductStateError(product.status, product.get_status_display())
    product.refresh_from_db()
    transaction.on_commit(catalog_changed)
    return product


@transaction.atomic
def product_submit(*, actor, product: Product) -> Product:
    """Submit a product for listing; refused with every missing condition named."""
    _require(policy.can_register_product(actor, product.provider))
    errors = _product_errors(product, list(product.source_resources.all()))
    if errors:
        raise ValidationError(errors)
    product = _move_product(product, _EDITABLE_STATES, P.SUBMITTED, status_reason="")
    audit.record(actor=actor, action="product.submit", obj=product, payload={})
    return product


@transaction.atomic
def product_review(
    *,
    actor,
    product: Product,
    action: str,
    reason: str = "",
    compliance_passed: bool = False,
    quality_passed: bool = False,
) -> Product:
    """Platform review: ``start`` (submitted → compliance_review), ``list`` (with compliance and
    quality passed, 不合规不挂牌), ``reject`` or ``delist`` (with a reason)."""
    _require(policy.can_review_product(actor, product))
    reason = (reason or "").strip()
    if action in ("reject", "delist") and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    if action == "start":
        product = _move_product(product, (P.SUBMITTED,), P.COMPLIANCE_REVIEW)
    elif action == "list":
        return _product_list(actor, product, compliance_passed, quality_passed)
    elif action == "reject":
        sources = (P.SUBMITTED, P.COMPLIANCE_REVIEW)
        product = _move_product(product, sources, P.REJECTED, status_reason=reason)
    elif action == "delist":
        product = _move_product(product, (P.LISTED,), P.DELISTED, status_reason=reason)
    else:
        raise ValidationError({"action": [_("Unknown action.")]})
    audit.record(actor=actor, action=f"product.{action}", obj=product, payload={"reason": reason})
    return product


def _product_list(actor, product: Product, compliance: bool, quality: bool) -> Product:
    if not (compliance and quality):
        raise ValidationError(
            {"compliance_passed": [_("Listing needs passed compliance and quality reviews.")]}
        )
    errors = _product_errors(product, list(product.source_resources.all()))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    code = f"DP-{now:%Y}-{product.pk:06d}"
    product = _move_product(
        product, (P.COMPLIANCE_REVIEW,), P.LISTED, listed_at=now, registration_code=code
    )
    record = {
        "registration_code": code,
        "code": product.code,
        "name": product.name,
        "provider": product.provider.code,
        "sources": sorted(product.source_resources.values_list("code", flat=True)),
        "scenarios": product.scenarios,
        "purpose": product.purpose,
        "price": str(product.price) if product.price is not None else None,
        "listed_at": now.isoformat(),
    }
    event = audit.record(actor=actor, action="product.list", obj=product, payload=record)
    Product.objects.filter(pk=product.pk).update(evidence_hash=event.hash)
    product.evidence_hash = event.hash
    return product


# ---------------------------------------------------------------------------------------------
# Row tables (the row API and the preview read them; ``catalog.rows`` reads the files)
# ---------------------------------------------------------------------------------------------


def _is_csv(distribution: Distribution) -> bool:
    return (
        distribution.kind == Distribution.Kind.FILE
        and bool(distribution.file)
        and (distribution.format.upper() == "CSV" or distribution.media_type == "text/csv")
    )


@transaction.atomic
def resource_load_rows(*, resource: Resource) -> RowTable | None:
    """Load the rows of the newest CSV file of ``resource`` whose header names fields of its
    data dictionary, replacing any rows loaded before; ``None`` if no file qualifies.

    A CSV file that cannot be read (neither UTF-8 nor GB18030, or not CSV) is refused with a
    ``ValidationError`` naming it, and nothing changes.
    """
    candidates = resource.distributions.order_by("-id")
    for distribution in (d for d in candidates if _is_csv(d)):
        try:
            table = rows_load(distribution=distribution)
        except ValidationError as exc:
            raise ValidationError(
                _("File “%(title)s”: %(error)s")
                % {"title": distribution.title, "error": " ".join(exc.messages)}
            ) from exc
        if table is not None:
            return table
    return None


@transaction.atomic
def rows_load(*, distribution: Distribution) -> RowTable | None:
    """Load the rows of one CSV ``distribution`` as its resource's row table.

    Keeps the columns that match the data dictionary (by name or English name), stores values
    typed after their field, and loads at most ``settings.ROWS_MAX_LOADED`` rows, recording
    whether the file had more. Returns ``None``, changing nothing, when no header cell names a
    dictionary field.
    """
    resource = distribution.resource
    fields = list(resource.fields.all())
    with distribution.file.open("rb") as handle:
        parsed = read_csv(handle, fields, settings.ROWS_MAX_LOADED)
    if not parsed.columns:
        return None
    table, _created = RowTable.objects.get_or_create(
        resource=resource, defaults={"distribution": distribution}
    )
    Row.objects.filter(table=table).delete()
    table.distribution = distribution
    table.row_count = len(parsed.rows)
    table.truncated = parsed.truncated
    table.save()
    Row.objects.bulk_create(
        (Row(table=table, number=n, data=data) for n, data in enumerate(parsed.rows, start=1)),
        batch_size=2000,
    )
    transaction.on_commit(catalog_changed)
    return table


# ---------------------------------------------------------------------------------------------
# Harvesting other catalogues (``manage.py harvest``; ``catalog.harvest`` reads the sources)
# ---------------------------------------------------------------------------------------------

LINK_KINDS = (Distribution.Kind.LINK, Distribution.Kind.API)


@dataclass(frozen=True)
class HarvestOutcome:
    status: str  # created, updated, unchanged or skipped
    resource: Resource | None = None
    reason: str = ""


@transaction.atomic
def distribution_set_links(*, actor, resource: Resource, links: Iterable[Link]) -> None:
    """Replace the link and API distributions of ``resource`` by ``links`` (addresses only:
    nothing is downloaded); its stored files are kept."""
    if actor is not None:
        _require(policy.can_edit(actor, resource))
    resource.distributions.filter(kind__in=LINK_KINDS).delete()
    for link in links:
        distribution = Distribution(
            resource=resource,
            title=link.title,
            kind=link.kind,
            format=link.format,
            media_type=link.media_type,
            url=link.url,
        )
        distribution.full_clean()
        distribution.save()
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)


# ---------------------------------------------------------------------------------------------
# Agency publishing: draft → submitted → published → withdrawn, submitted → draft on return;
# the data dictionary, distributions and uploads; a version for every change after publication
# ---------------------------------------------------------------------------------------------


def _plain(value) -> Any:
    """A value as JSON can hold it, for a version's before/after."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or str(value.pk)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _change(part: str, name: str, before, after, *, graded: bool = False) -> dict:
    return {"part": part, "name": name, "before": before, "after": after, "graded": graded}


def record_version(
    *, actor, resource: Resource, summary: str, changes: list[dict], was_public: bool = True
) -> ResourceVersion | None:
    """Keep a version of a published (or withdrawn) resource: who, when and what changed.
    Nothing is kept for drafts, nor when nothing changed. ``summary`` is an untranslated
    message (translated when shown) or the reviewer's own words. The version is public only
    if the entry is public now and ``was_public`` before the change (the caller knows)."""
    if resource.status not in VERSIONED_STATES or not changes:
        return None
    last = resource.versions.aggregate(n=Max("number"))["n"] or 0
    return ResourceVersion.objects.create(
        resource=resource,
        number=last + 1,
        actor=actor if getattr(actor, "pk", None) else None,
        summary=str(summary)[:300],
        changes=changes,
        public=was_public and policy.is_public(resource),
    )


def _require_editable_state(actor, resource: Resource) -> None:
    if actor is not None and not policy.can_change_in_state(actor, resource):
        raise InvalidTransition(resource.status, resource.get_status_display())


def _lock_for_edit(actor, resource: Resource) -> Resource:
    """The resource row, locked, after checking the editor's right and the state."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if actor is not None:
        _require(policy.can_edit(actor, resource))
    _require_editable_state(actor, resource)
    return resource


def _move_resource(resource: Resource, sources: tuple, target: str, **changes) -> Resource:
    """Compare-and-set: move ``resource`` to ``target`` only from one of ``sources``."""
    moved = Resource.objects.filter(pk=resource.pk, status__in=sources).update(
        status=target, updated_at=timezone.now(), **changes
    )
    resource.refresh_from_db()
    if not moved:
        raise InvalidTransition(resource.status, resource.get_status_display())
    transaction.on_commit(catalog_changed)
    return resource


@transaction.atomic
def resource_submit(*, actor, resource: Resource) -> Resource:
    """Submit a draft for review by the agency's reviewers; editors of the providing agency.
    The ceiling and the required metadata are checked now, so reviewers see complete entries."""
    if actor is not None and not policy.can_submit(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "submit"))
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    missing = [name for name in REQUIRED_TO_PUBLISH if not getattr(resource, name)]
    if missing:
        raise ValidationError(
            _("Required metadata missing: %(names)s") % {"names": ", ".join(missing)}
        )
    resource = _move_resource(resource, RESOURCE_SOURCES["submit"], RS.SUBMITTED, status_reason="")
    audit.record(actor=actor, action="resource.submit", obj=resource, payload={})
    return resource


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


@transaction.atomic
def resource_return(*, actor, resource: Resource, reason: str) -> Resource:
    """Return a submitted entry to its editors with a reason; reviewers of the agency."""
    if actor is not None and not policy.can_return(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "return"))
    reason = _require_reason(reason)
    resource = _move_resource(resource, RESOURCE_SOURCES["return"], RS.DRAFT, status_reason=reason)
    audit.record(actor=actor, action="resource.return", obj=resource, payload={"reason": reason})
    return resource


@transaction.atomic
def resource_withdraw(*, actor, resource: Resource, reason: str) -> Resource:
    """Withdraw a published entry from the public catalogue, with a reason; reviewers of the
    agency. The withdrawal is kept as a version."""
    if actor is not None and not policy.can_withdraw(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "withdraw"))
    reason = _require_reason(reason)
    resource = _move_resource(
        resource, RESOURCE_SOURCES["withdraw"], RS.WITHDRAWN, status_reason=reason
    )
    audit.record(actor=actor, action="resource.withdraw", obj=resource, payload={"reason": reason})
    change = _change("status", "status", RS.PUBLISHED.value, RS.WITHDRAWN.value)
    record_version(actor=actor, resource=resource, summary=reason, changes=[change])
    return resource


FIELD_ATTRIBUTES = ("name", "name_en", "data_type", "description", "grade", "position")


def _regrade(actor, resource: Resource, grades: Iterable[str]) -> list[dict]:
    """Derive the resource grade from its fields' ``grades``, refuse a tier the new grade's
    ceiling forbids, and save and audit a change; returns the version entries."""
    grade = policy.derive_grade(grades)
    policy.check_ceiling(grade=grade, tier=resource.tier)
    if grade == resource.grade:
        return []
    before = {"tier": resource.tier, "grade": resource.grade}
    resource.grade = grade
    _check_access_change(actor, resource, before)
    resource.save(update_fields=["grade", "updated_at"])
    _audit_grading_change(actor, resource, before)
    return [_change("grading", "grade", before["grade"], grade, graded=True)]


def _field_changes(field: Field, before: Mapping[str, Any]) -> list[dict]:
    return [
        _change(
            "field",
            f"{field.name_en}.{name}",
            before.get(name),
            getattr(field, name),
            graded=name == "grade",
        )
        for name in FIELD_ATTRIBUTES
        if before.get(name) != getattr(field, name)
    ]


@transaction.atomic
def field_save(
    *, actor, resource: Resource, data: Mapping[str, Any], field: Field | None = None
) -> Field:
    """Add a dictionary field to ``resource`` or change one. The resource's grade follows the
    fields (就高从严); a change the tier's ceiling forbids is refused with the rule's message."""
    resource = _lock_for_edit(actor, resource)
    before = {name: getattr(field, name) for name in FIELD_ATTRIBUTES} if field else {}
    field = field or Field(resource=resource, position=resource.fields.count())
    for name in FIELD_ATTRIBUTES:
        if name in data:
            setattr(field, name, data[name])
    others = dict(resource.fields.exclude(pk=field.pk).values_list("name_en", "grade"))
    _check_column_grades(actor, resource, {**others, field.name_en: field.grade})
    grading = _regrade(actor, resource, [*others.values(), field.grade])
    field.full_clean()
    field.save()
    if before.get("grade") != field.grade:
        audit.record(
            actor=actor,
            action="field.grade",
            obj=field,
            payload={"resource": resource.pk, "before": before.get("grade"), "after": field.grade},
        )
    changes = _field_changes(field, before) + grading
    _after_dictionary_change(actor, resource, changes)
    return field


def _after_dictionary_change(actor, resource: Resource, changes: list[dict]) -> None:
    """Keep the version, re-assess the quality and announce the change, once committed."""
    record_version(
        actor=actor,
        resource=resource,
        summary=gettext_noop("Data dictionary changed"),
        changes=changes,
    )
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)


@transaction.atomic
def field_remove(*, actor, field: Field) -> None:
    """Remove a dictionary field; the resource's grade is derived again from the others."""
    resource = _lock_for_edit(actor, field.resource)
    before = {name: getattr(field, name) for name in FIELD_ATTRIBUTES}
    others = resource.fields.exclude(pk=field.pk).values_list("grade", flat=True)
    grading = _regrade(actor, resource, list(others))
    field.delete()
    shown = {k: v for k, v in before.items() if k != "grade"}
    changes = [
        _change("field", before["name_en"], shown, None),
        _change("field", f"{before['name_en']}.grade", before["grade"], None, graded=True),
        *grading,
    ]
    _after_dictionary_change(actor, resource, changes)


@transaction.atomic
def harvest_entry(
    *, source: str, entry: RemoteEntry, provider: Organization, theme: Theme
) -> HarvestOutcome:
    """Import one harvested entry as a draft of ``provider``, or update the draft imported
    from it before when the entry changed. An unchanged entry is left alone, and so is one
    whose local copy moved on from draft (the agency owns it then). Never publishes. The code
    is derived from the source and the entry (``catalog.harvest.resource_code``)."""
    record = (
        HarvestRecord.objects.select_for_update()
        .select_related("resource")
        .filter(source=source, remote_id=entry.remote_id)
        .first()
    )
    content_hash = entry.content_hash(theme.code)
    if record is None:
        resource = resource_create(
            actor=None,
            provider=provider,
            theme=theme,
            code=_harvest_code(source, entry),
            **entry.metadata(),
        )
        distribution_set_links(actor=None, resource=resource, links=entry.links)
        HarvestRecord.objects.create(
            source=source, remote_id=entry.remote_id, resource=resource, content_hash=content_hash
        )
        return HarvestOutcome("created", resource)
    return _harvest_update(record, entry, theme, content_hash)


def _harvest_code(source: str, entry: RemoteEntry) -> str:
    from catalog.harvest import resource_code

    code = resource_code(source, entry)
    if Resource.objects.filter(code=code).exists():  # e.g. two names that differ in spaces
        code = resource_code(source, entry, hashed=True)
    return code


def _harvest_update(
    record: HarvestRecord, entry: RemoteEntry, theme: Theme, content_hash: str
) -> HarvestOutcome:
    resource = record.resource
    if record.content_hash == content_hash:
        return HarvestOutcome("unchanged", resource)
    if resource.status != Resource.Status.DRAFT:
        reason = _("Changed at the source, but the local entry is %(status)s: not overwritten.")
        return HarvestOutcome(
            "skipped", resource, reason % {"status": resource.get_status_display()}
        )
    resource_update(actor=None, resource=resource, data={**entry.metadata(), "theme": theme})
    distribution_set_links(actor=None, resource=resource, links=entry.links)
    record.content_hash = content_hash
    record.save(update_fields=["content_hash", "harvested_at"])
    return HarvestOutcome("updated", resource)


@transaction.atomic
def distribution_add_link(
    *, actor, resource: Resource, title: str, kind: str, url: str, fmt: str
) -> Distribution:
    """Add an API endpoint or an external link as a distribution of ``resource``."""
    resource = _lock_for_edit(actor, resource)
    if kind not in (Distribution.Kind.API, Distribution.Kind.LINK):
        raise ValidationError({"kind": [_("Choose an API or a link.")]})
    distribution = Distribution(
        resource=resource, title=title, kind=kind, url=url, format=(fmt or kind).upper()[:20]
    )
    distribution.full_clean()
    distribution.save()
    change = _change("distribution", title, None, {"kind": kind, "url": url})
    record_version(
        actor=actor, resource=resource, summary=gettext_noop("Distribution added"), changes=[change]
    )
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)
    return distribution


@transaction.atomic
def distribution_upload(
    *, actor, resource: Resource, upload, title: str = "", distribution: Distribution | None = None
) -> Distribution:
    """Check and store an uploaded file as a new distribution of ``resource``, or as the next
    version of ``distribution`` (the previous file stays downloadable as a version).

    The file is read in chunks and checked before anything is written: size
    (``UPLOAD_MAX_BYTES``), allowed format, content matching the extension, text encoding
    (UTF-8 or GBK/GB18030) and, for CSV and XLSX, every row against the data dictionary. A
    refused file raises ``uploads.UploadRejected`` and leaves no row and no file behind.
    """
    resource = _lock_for_edit(actor, resource)
    checked = uploads.check_upload(upload=upload, fields=list(resource.fields.all()))
    if distribution is not None and (
        distribution.kind != Distribution.Kind.FILE or distribution.resource_id != resource.pk
    ):
        raise ValidationError({"distribution": [_("Only file distributions take uploads.")]})
    target = distribution or Distribution(
        resource=resource, title=title or upload.name, kind=Distribution.Kind.FILE
    )
    if errors := text_errors({"title": target.title}):
        raise ValidationError(errors)
    previous = _keep_previous_version(target) if distribution is not None else None
    target.format, target.media_type = checked.fmt.upper(), checked.media_type
    target.byte_size, target.sha256 = checked.byte_size, checked.sha256
    target.content_grade = resource.grade
    target.version = (previous.number + 1) if previous else 1
    target.file.save(PurePath(upload.name).name, upload, save=False)
    try:
        target.save()
        _after_upload(actor, resource, target, checked)
    except BaseException:
        target.file.delete(save=False)  # the transaction drops the rows; drop the file too
        raise
    transaction.on_commit(catalog_changed)
    return target


def _keep_previous_version(distribution: Distribution) -> DistributionVersion | None:
    if not distribution.file:
        return None
    return DistributionVersion.objects.create(
        distribution=distribution,
        number=distribution.version,
        file=distribution.file.name,
        format=distribution.format,
        media_type=distribution.media_type,
        byte_size=distribution.byte_size,
        sha256=distribution.sha256,
        content_grade=distribution.content_grade,
        created_at=distribution.created_at if distribution.version == 1 else timezone.now(),
    )


def _after_upload(actor, resource: Resource, distribution: Distribution, checked) -> None:
    """Date the entry's data as updated today, load the rows of a published resource's new
    CSV, audit, and keep a version."""
    resource.modified = timezone.localdate()
    Resource.objects.filter(pk=resource.pk).update(modified=resource.modified)
    if resource.status == RS.PUBLISHED and _is_csv(distribution):
        rows_load(distribution=distribution)
    payload = {
        "distribution": distribution.pk,
        "version": distribution.version,
        "sha256": checked.sha256,
        "bytes": checked.byte_size,
    }
    audit.record(actor=actor, action="distribution.upload", obj=resource, payload=payload)
    change = _change("distribution", distribution.title, None, payload)
    resource_refresh_quality(resource=resource)
    record_version(
        actor=actor, resource=resource, summary=gettext_noop("File uploaded"), changes=[change]
    )
