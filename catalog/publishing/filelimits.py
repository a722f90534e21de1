"""What reading an uploaded file may cost, for every path that reads one: distribution uploads
(``catalog.publishing.uploads``), the bulk import of entries
(``catalog.publishing.importer``) and the loading of data rows (``catalog.rows.reader``).

A small file can stand for a very large one: a ZIP (and so an XLSX) member may inflate a
thousandfold, a sheet may declare 16,384 columns that a reader then fills in, a CSV header may
name tens of thousands of columns. Each limit here is checked before the costly step it
guards: the ZIP members' declared sizes and ratios before anything is inflated, a sheet's
declared range before its rows are read. Declared sizes are not trusted alone: inflating stops
as soon as the bytes actually produced pass the limit, and sheets are read row by row, stopping
at the first row past a limit. Every check also runs against a clock.

Limits that a file passes by size are answered 413, a file that cannot be read 400.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from operator import methodcaller

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
# Members smaller than this are never refused for their ratio: a short, repetitive XML part
# compresses far better than a hundredfold and costs nothing to inflate.
RATIO_FLOOR = 1024 * 1024
# A CSV header is read from at most this many characters: a first line longer than this holds
# more columns than any limit allows, or is not a header.
HEADER_CHARS = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits in force, read from the settings when a check starts."""

    columns: int
    cells: int
    unzipped_bytes: int
    zip_ratio: int
    zip_members: int
    seconds: float
    errors: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            columns=settings.UPLOAD_MAX_COLUMNS,
            cells=settings.UPLOAD_MAX_CELLS,
            unzipped_bytes=settings.UPLOAD_MAX_UNZIPPED_BYTES,
            zip_ratio=settings.UPLOAD_MAX_ZIP_RATIO,
            zip_members=settings.UPLOAD_MAX_ZIP_MEMBERS,
            seconds=settings.UPLOAD_CHECK_SECONDS,
            errors=settings.UPLOAD_MAX_ERRORS,
        )


class FileRefused(ValidationError):
    """A file past a limit (``status`` 413) or unreadable (400); nothing was written."""

    def __init__(self, message, *, code: str, status: int = 413):
        super().__init__(message, code=code)
        self.status = status


class Deadline:
    """The time a check may take (``settings.UPLOAD_CHECK_SECONDS``), checked between steps."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise FileRefused(
                _(
                    "Checking the file took longer than %(seconds)d seconds: "
                    "split it into smaller files."
                )
                % {"seconds": self.seconds},
                code="too_slow",
            )


def start(limits: Limits | None = None) -> tuple[Limits, Deadline]:
    """The limits from the settings (unless given) and a deadline starting now."""
    limits = limits or Limits.from_settings()
    return limits, Deadline(limits.seconds)


# ---------------------------------------------------------------------------------------------
# ZIP archives (and XLSX workbooks, which are ZIP archives)
# ---------------------------------------------------------------------------------------------


def damaged() -> FileRefused:
    return FileRefused(
        _("The file is damaged or incomplete and cannot be read."), code="damaged", status=400
    )


def _too_large_unzipped(limits: Limits) -> FileRefused:
    return FileRefused(
        _("The archive unpacks to more than %(mb)d MB.") % {"mb": limits.unzipped_bytes // 2**20},
        code="unzipped_too_large",
    )


def check_zip(source, *, limits: Limits, deadline: Deadline) -> list[str]:
    """Check the ZIP archive ``source`` (a path or a binary file) and return its member names.

    The declared sizes are checked first, without inflating anything: the number of members,
    their total size and each member's compression ratio. Then every member is inflated in
    chunks (its CRC checked, as ``testzip`` would), stopping as soon as the bytes actually
    produced pass the limit, whatever the archive declared.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            _check_declared(infos, limits)
            _inflate_all(archive, infos, limits, deadline)
            return [info.filename for info in infos]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise damaged() from exc
    except NotImplementedError as exc:  # an unsupported compression method or encryption
        raise damaged() from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _check_declared(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.zip_members:
        raise FileRefused(
            _("The archive holds more than %(count)d files.") % {"count": limits.zip_members},
            code="zip_members",
        )
    if sum(info.file_size for info in infos) > limits.unzipped_bytes:
        raise _too_large_unzipped(limits)
    for info in infos:
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and info.file_size > packed * limits.zip_ratio:
            raise FileRefused(
                _(
                    "A file in the archive is compressed more than %(ratio)d to 1, which "
                    "is refused as a compression bomb."
                )
                % {"ratio": limits.zip_ratio},
                code="zip_ratio",
            )


def _inflate_all(archive, infos, limits: Limits, deadline: Deadline) -> None:
    produced = 0
    for info in infos:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                produced += len(chunk)
                if produced > limits.unzipped_bytes:
                    raise _too_large_unzipped(limits)
                deadline.check()


# ---------------------------------------------------------------------------------------------
# Tables: columns, cells and errors
# ---------------------------------------------------------------------------------------------


def too_many_columns(limits: Limits) -> FileRefused:
    return FileRefused(
        _("The file has more than %(count)d columns.") % {"count": limits.columns},
        code="too_many_columns",
    )


def too_many_cells(limits: Limits) -> FileRefused:
    return FileRefused(
        _("The sheet has more than %(count)s cells.") % {"count": f"{limits.cells:,}"},
        code="too_many_cells",
    )


def check_range(rows: int, columns: int, limits: Limits) -> None:
    """Refuse a table of ``rows`` by ``columns`` (as declared, or as read so far)."""
    if columns > limits.columns:
        raise too_many_columns(limits)
    if rows * columns > limits.cells:
        raise too_many_cells(limits)


def xlsx_rows(source, *, limits: Limits, deadline: Deadline) -> Iterator[tuple]:
    """The rows of the first sheet of the XLSX workbook ``source`` (a path or a binary file), as
    tuples of cell values, within the limits.

    The archive is checked first (:func:`check_zip`), then the sheet's declared range (its
    ``dimension``). The rows are then read as they are stored, not padded out to the declared
    range, and reading stops at the first row that takes the table past a limit. An unreadable
    workbook is refused (400).
    """
    from openpyxl import load_workbook

    check_zip(source, limits=limits, deadline=deadline)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl lets each parser's own error through
        raise damaged() from exc
    try:
        sheet = book.worksheets[0]
        check_range(sheet.max_row or 0, sheet.max_column or 0, limits)
        sheet.reset_dimensions()
        yield from _bounded_rows(sheet.iter_rows(values_only=True), limits, deadline)
    except FileRefused:
        raise
    except Exception as exc:  # a part's XML may be truncated or not XML at all
        raise damaged() from exc
    finally:
        book.close()


def _bounded_rows(rows, limits: Limits, deadline: Deadline) -> Iterator[tuple]:
    width = 0
    for count, row in enumerate(rows, start=1):
        width = max(width, len(row))
        check_range(count, width, limits)
        deadline.check()
        yield row


def check_xlsx(path: str, *, limits: Limits, deadline: Deadline) -> None:
    """Read the XLSX workbook at ``path`` through once within the limits (see
    :func:`xlsx_rows`), before a validator that pads rows out to the declared range reads it."""
    for _row in xlsx_rows(path, limits=limits, deadline=deadline):
        pass


def csv_header(path: str, encoding: str, *, limits: Limits) -> list[str]:
    """The header of the CSV file at ``path``, read from at most ``HEADER_CHARS`` characters;
    refused when it names more than ``limits.columns`` columns."""
    with open(path, encoding=encoding, newline="", errors="replace") as text:
        head = text.read(HEADER_CHARS)
    if len(head) == HEADER_CHARS and "\n" not in head and "\r" not in head:
        raise too_many_columns(limits)
    try:
        header = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error:
        return []  # the validator names what is wrong with it
    if len(header) > limits.columns:
        raise too_many_columns(limits)
    return header


def capped(items: list, limit: int) -> tuple[list, int]:
    """The first ``limit`` of ``items`` and how many more there were."""
    return items[:limit], max(0, len(items) - limit)


def more_errors(count: int) -> str:
    """The line that stands for errors not listed."""
    return _("… and %(count)d more errors.") % {"count": count}


def more_names(count: int) -> str:
    """The words that stand for names not listed."""
    return _("(and %(count)d more)") % {"count": count}


DELIMITERS = (",", ";", "\t", "|")


def check_csv_width(text, *, limits: Limits, deadline: Deadline) -> None:
    """Refuse a CSV text stream with a record of more than ``limits.columns`` fields, counted
    without parsing the records (a parser would build every field of a row first): in chunks,
    outside quotes, the most frequent of the delimiters a reader may choose, per line."""
    inside, carried = False, 0  # the delimiters of the record still open at the last break
    while chunk := text.read(CHUNK):
        for index, segment in enumerate(chunk.split('"')):
            inside = inside != bool(index)
            if not inside:
                carried = _outside(segment, carried, limits)
        deadline.check()


def _outside(segment: str, carried: int, limits: Limits) -> int:
    """Count the delimiters of each line of ``segment`` (text outside quotes), the first one
    adding to the record already open; return those of the record left open at its end."""
    lines = segment.split("\n")
    if len(lines) > 1 and carried + max(map(len, lines)) < limits.columns:
        return _most(lines[-1:])  # no line is long enough to hold that many delimiters
    carried += _most(lines[:1])
    widest = _most(lines[1:]) if len(lines) > 1 else 0
    if max(carried, widest) >= limits.columns:
        raise too_many_columns(limits)
    return _most(lines[-1:]) if len(lines) > 1 else carried


def _most(lines: list[str]) -> int:
    """The most delimiters of one kind on any of ``lines`` (counted by ``str.count``, line by
    line, without a loop in Python)."""
    if not lines:
        return 0
    return max(max(map(methodcaller("count", d), lines)) for d in DELIMITERS)
