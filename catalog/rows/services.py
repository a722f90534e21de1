"""Row tables (the row API and the preview read them; ``catalog.rows.reader`` reads the files)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import (
    Distribution,
    Resource,
    Row,
    RowTable,
)
from catalog.rows.reader import read_csv
from portal.cache import catalog_changed


def is_csv(distribution: Distribution) -> bool:
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
    for distribution in (d for d in candidates if is_csv(d)):
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
