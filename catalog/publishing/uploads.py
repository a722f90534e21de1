"""Checking an uploaded file before it is stored: its size, its format (by extension, allowed by
the settings), its real content (sniffed from the bytes, which must match the extension), its
encoding (CSV: UTF-8 or GBK/GB18030) and, for tabular files, its rows against the data
dictionary (a Table Schema built from the ``Field`` rows, validated with ``frictionless``).

Nothing here writes: ``catalog.publishing.distributions.distribution_upload`` stores what
passes. Files are read in chunks from the temporary file Django's upload handler wrote, never
whole into memory.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Field
from catalog.publishing import filelimits
from catalog.publishing.filelimits import Deadline, Limits
from catalog.textfiles import TEXT_ENCODINGS, text_encoding

CHUNK = 1024 * 1024
SNIFF_BYTES = 8192
# Media types recorded for each format.
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "txt": "text/plain",
    "xml": "application/xml",
}
# What the bytes must turn out to be for each extension.
EXPECTED_KIND = {
    "csv": "text",
    "txt": "text",
    "xml": "xml",
    "json": "json",
    "xlsx": "xlsx",
    "pdf": "pdf",
    "zip": "zip",
}
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0", "ole"),  # legacy .xls / .doc
)
TABLE_TYPES = {
    Field.DataType.STRING: "string",
    Field.DataType.INTEGER: "integer",
    Field.DataType.DECIMAL: "number",
    Field.DataType.DATE: "date",
    Field.DataType.DATETIME: "datetime",
    Field.DataType.BOOLEAN: "boolean",
}
TRUE_VALUES = ["true", "True", "TRUE", "1", "yes", "y", "t", "是"]
FALSE_VALUES = ["false", "False", "FALSE", "0", "no", "n", "f", "否"]


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Django's handler that streams each uploaded file to a temporary file on disk, stopping
    as soon as a file passes ``settings.UPLOAD_MAX_BYTES``: the part written so far is deleted,
    the rest of the body is read and dropped, and the request is marked ``upload_too_large``
    so the view can answer 413."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def too_large_message() -> str:
    return _("The file is too large: at most %(limit)s MB are accepted.") % {
        "limit": round(settings.UPLOAD_MAX_BYTES / 1024 / 1024, 1)
    }


class UploadRejected(ValidationError):
    """The file was refused; nothing was stored. ``status`` is the HTTP status to answer."""

    def __init__(self, message, *, code: str, status: int = 400, errors=None):
        super().__init__(message, code=code)
        self.status = status
        self.row_errors: list[RowError] = list(errors or [])


@dataclass(frozen=True)
class RowError:
    row: int | None  # 1 = the header line, as frictionless counts
    field: str
    message: str


@dataclass
class CheckedFile:
    """What the checks found out: format, media type, size, SHA-256, text encoding."""

    fmt: str
    media_type: str
    byte_size: int
    sha256: str
    encoding: str = ""
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_total: int | None = 0  # errors found, listed or not; None: more than the limit


def file_format(name: str) -> str:
    """The format named by the file's extension, if the settings allow it; refused otherwise."""
    fmt = PurePath(name or "").suffix.lower().lstrip(".")
    allowed = [f.strip() for f in settings.UPLOAD_ALLOWED_FORMATS if f.strip()]
    if fmt not in allowed or fmt not in EXPECTED_KIND:
        raise UploadRejected(
            _("Files of this type are not accepted. Allowed formats: %(formats)s.")
            % {"formats": ", ".join(f.upper() for f in allowed)},
            code="format_not_allowed",
            status=415,
        )
    return fmt


def check_size(size: int) -> None:
    """Refuse a file larger than ``settings.UPLOAD_MAX_BYTES`` (413) or an empty one."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(too_large_message(), code="too_large", status=413)
    if size == 0:
        raise UploadRejected(_("The file is empty."), code="empty")


def digest(upload) -> tuple[str, int]:
    """SHA-256 and size of an uploaded file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    for chunk in upload.chunks(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return sha.hexdigest(), size


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def sniff(upload, *, limits: Limits, deadline: Deadline) -> str:
    """What the bytes are: pdf, xlsx, zip, json, xml, text, or another binary kind. A ZIP
    archive is checked against the limits on the way (``filelimits.check_zip``)."""
    head = _head(upload)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return _zip_kind(upload, limits, deadline) if kind == "zip" else kind
    if b"\x00" in head:
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return "json"
    if start == b"<":
        return "xml"
    return "text"


def _zip_kind(upload, limits: Limits, deadline: Deadline) -> str:
    """``xlsx`` for a spreadsheet (a zip holding ``xl/``), ``zip`` for another archive; a zip
    that cannot be read or is past a limit is refused."""
    names = filelimits.check_zip(upload, limits=limits, deadline=deadline)
    return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"


def check_content(upload, fmt: str, *, limits: Limits, deadline: Deadline) -> None:
    """Refuse a file whose bytes are not what its extension says."""
    kind = sniff(upload, limits=limits, deadline=deadline)
    expected = EXPECTED_KIND[fmt]
    # JSON and XML are text too: a CSV or TXT file may begin with a bracket.
    if kind == expected or (expected == "text" and kind in ("json", "xml")):
        return
    raise UploadRejected(
        _("The content of the file does not match its extension .%(ext)s.") % {"ext": fmt},
        code="content_mismatch",
        status=415,
    )


def detect_encoding(upload, deadline: Deadline | None = None) -> str:
    """``utf-8-sig`` (UTF-8 with or without BOM) or ``gb18030``, whichever decodes the whole
    file (``catalog.textfiles``); refused when neither does. Decodes chunk by chunk."""

    def pieces():
        try:
            for chunk in upload.chunks(CHUNK):
                yield chunk
                if deadline is not None:
                    deadline.check()
        finally:
            upload.seek(0)

    encoding = text_encoding(pieces() for _encoding in TEXT_ENCODINGS)
    if encoding is not None:
        return encoding
    raise UploadRejected(
        _("The file's text encoding is not supported: save it as UTF-8 or GBK (GB18030)."),
        code="encoding",
    )


def table_schema(fields: Iterable[Field], header: list[str]) -> dict:
    """A Table Schema for a file with ``header``: each column named by a dictionary field (by
    name or English name) gets the field's type; other columns are text."""
    by_name = {}
    for f in fields:
        by_name[f.name] = f
        by_name[f.name_en] = f
    columns = []
    for name in header:
        f = by_name.get(name)
        column = {"name": name, "type": TABLE_TYPES.get(f.data_type, "string") if f else "string"}
        if column["type"] == "boolean":
            column.update(trueValues=TRUE_VALUES, falseValues=FALSE_VALUES)
        columns.append(column)
    return {"fields": columns}


def missing_columns(fields: Iterable[Field], header: list[str]) -> list[str]:
    """Dictionary fields that no header cell names (by name or English name)."""
    present = set(header)
    return [f.name for f in fields if f.name not in present and f.name_en not in present]


def undeclared_columns(fields: Iterable[Field], header: list[str]) -> list[str]:
    """Header cells that name no dictionary field: data without a grade, which a bulk download
    would hand out under the grades of the other fields."""
    known = {name for f in fields for name in (f.name, f.name_en)}
    return [name for name in header if name not in known]


def _header_errors(fields: list[Field], header: list[str]) -> list[RowError]:
    errors = [_missing(name) for name in missing_columns(fields, header)]
    for name in undeclared_columns(fields, header):
        message = _(
            "The column “%(name)s” is not in the data dictionary: add it as a field, with its "
            "security grade, before uploading."
        ) % {"name": name}
        errors.append(RowError(1, name, message))
    return errors


def _capped(errors: list[RowError], limit: int) -> list[RowError]:
    shown, more = filelimits.capped(errors, limit)
    if more:
        shown.append(RowError(None, "", filelimits.more_errors(more)))
    return shown


# Lazy: the labels are put into messages in the language of the request, not of the import.
_TYPE_LABELS = {
    "integer": gettext_lazy("an integer"),
    "number": gettext_lazy("a number"),
    "date": gettext_lazy("a date (YYYY-MM-DD)"),
    "datetime": gettext_lazy("a date and time (ISO 8601)"),
    "boolean": gettext_lazy("yes or no"),
}


def validate_table(
    path: str,
    fmt: str,
    encoding: str,
    fields: list[Field],
    *,
    limits: Limits | None = None,
    deadline: Deadline | None = None,
) -> CheckedFile:
    """Validate a CSV or XLSX file at ``path`` against the data dictionary ``fields``: every
    field must have a column, every column must be a field (so that all of it is graded), and
    every cell must parse as its field's type. Returns the rows counted and at most
    ``settings.UPLOAD_MAX_ERRORS`` errors, each naming row and field (and a line counting
    those not listed). The table is first checked against
    ``catalog.publishing.filelimits``: its header
    (CSV) or the whole sheet (XLSX) is read within the limits before the validator reads it,
    and the validator stops at the deadline."""
    from frictionless import Detector, Resource, Schema

    if limits is None or deadline is None:
        limits, deadline = filelimits.start(limits)
    _check_table_limits(path, fmt, encoding, limits, deadline)
    # frictionless refuses absolute paths as unsafe; name the file relative to its folder.
    where = PurePath(path)
    options = {"path": where.name, "basepath": str(where.parent), "format": fmt}
    if encoding:
        options["encoding"] = encoding
    try:
        with Resource(**options) as table:
            header = [str(label) for label in table.header.labels]
        errors = _header_errors(fields, header)
        if errors:
            return CheckedFile(
                "", "", 0, "", errors=_capped(errors, limits.errors), error_total=len(errors)
            )
        schema = Schema.from_descriptor(table_schema(fields, header))
        resource = Resource(**options, schema=schema, detector=Detector(schema_sync=False))
        report = resource.validate(
            limit_errors=limits.errors + 1, on_row=lambda _row: deadline.check()
        )
    except filelimits.FileRefused:
        raise
    except Exception as exc:  # frictionless wraps every reader failure in its own errors
        raise UploadRejected(
            _("The file cannot be read as a table: %(error)s") % {"error": _short(exc)},
            code="unreadable",
        ) from exc
    task = report.tasks[0]
    types = {column["name"]: column["type"] for column in schema.to_descriptor()["fields"]}
    errors = [_row_error(e, types) for e in task.errors]
    total = len(errors)
    if total > limits.errors:  # the validator stopped at one past the limit: how many is unknown
        errors, total = (
            [*errors[: limits.errors], RowError(None, "", _("… and more errors."))],
            None,
        )
    rows = task.stats.get("rows") or 0
    return CheckedFile("", "", 0, "", row_count=rows, errors=errors, error_total=total)


def _check_table_limits(path: str, fmt: str, encoding: str, limits, deadline) -> None:
    if fmt == "xlsx":
        filelimits.check_xlsx(path, limits=limits, deadline=deadline)
    else:
        filelimits.csv_header(path, encoding or "utf-8-sig", limits=limits)
        with open(path, encoding=encoding or "utf-8-sig", newline="", errors="replace") as text:
            filelimits.check_csv_width(text, limits=limits, deadline=deadline)


def _missing(name: str) -> RowError:
    message = _("The data dictionary's field “%(name)s” has no column.") % {"name": name}
    return RowError(1, name, message)


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "error", None) and exc.error.message or exc)
    return text[:300]


def _row_error(error, types: dict[str, str]) -> RowError:
    row = getattr(error, "row_number", None)
    name = getattr(error, "field_name", "") or ""
    cell = getattr(error, "cell", None)
    field_type = types.get(name, "")
    if error.type == "type-error" and field_type in _TYPE_LABELS:
        message = _("“%(value)s” is not %(type)s.") % {
            "value": str(cell)[:100],
            "type": _TYPE_LABELS[field_type],
        }
    elif error.type == "extra-cell":
        message = _("The row has more cells than the header.")
    elif error.type == "missing-cell":
        message = _("The row has fewer cells than the header.")
    elif error.type in ("blank-row",):
        message = _("The row is empty.")
    elif error.type in ("duplicate-label", "blank-label"):
        message = _("The header has an empty or repeated column name.")
    else:
        message = str(getattr(error, "note", "") or error.title)[:300]
    return RowError(row, name, message)


TABULAR = ("csv", "xlsx")


@contextmanager
def local_path(upload) -> Iterator[str]:
    """A path on disk holding the upload: the temporary file Django wrote, or a copy."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        yield path()
        return
    with tempfile.NamedTemporaryFile(suffix=PurePath(upload.name).suffix) as copy:
        for chunk in upload.chunks(CHUNK):
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield copy.name


def check_upload(*, upload, fields: list[Field]) -> CheckedFile:
    """Run every check on ``upload``; raise ``UploadRejected`` (with per-row errors for a
    table failing the dictionary) or return what was found out. The limits of
    ``catalog.publishing.filelimits`` (columns, cells, unpacked size and ratio of archives,
    time) apply throughout: a file past one is refused with 413 before the costly step."""
    try:
        return _check_upload(upload, fields, *filelimits.start())
    except filelimits.FileRefused as exc:
        raise UploadRejected(exc.messages[0], code=exc.code, status=exc.status) from exc


def _check_upload(upload, fields: list[Field], limits: Limits, deadline: Deadline):
    check_size(upload.size)
    fmt = file_format(upload.name)
    check_content(upload, fmt, limits=limits, deadline=deadline)
    encoding = detect_encoding(upload, deadline) if EXPECTED_KIND[fmt] == "text" else ""
    sha256, size = digest(upload)
    check_size(size)
    checked = CheckedFile(fmt, MEDIA_TYPES[fmt], size, sha256, encoding=encoding)
    if fmt in TABULAR:
        with local_path(upload) as path:
            table = validate_table(path, fmt, encoding, fields, limits=limits, deadline=deadline)
        if table.errors:
            raise UploadRejected(_mismatch(table), code="invalid_rows", errors=table.errors)
        checked.row_count = table.row_count
    return checked


def _mismatch(table: CheckedFile) -> str:
    if table.error_total is None:
        return _("The file does not match the data dictionary: more than %(count)s errors.") % {
            "count": settings.UPLOAD_MAX_ERRORS
        }
    return _("The file does not match the data dictionary: %(count)s errors.") % {
        "count": table.error_total
    }
