"""Measure uploads: a generated CSV file of the given size goes through ``distribution_upload``
(size, format and content checks, encoding detection, SHA-256, row validation against the data
dictionary with frictionless, storage) as it would from a form, and each pass is timed.

Everything it writes (an agency, a draft, the stored file) is rolled back and removed at the
end, so it can run against any database.
"""

import contextlib
import tempfile
import time
from pathlib import Path

from django.core.files.base import File
from django.core.management import BaseCommand
from django.db import transaction

from catalog.models import Field, Organization, Resource, Theme
from catalog.publishing import uploads
from catalog.publishing.distributions import distribution_upload
from portal.actors import SYSTEM

FIELDS = [
    ("行政区", "district", "string"),
    ("数量", "count", "integer"),
    ("日期", "day", "date"),
    ("比例", "ratio", "decimal"),
    ("备注", "note", "string"),
]
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区"]


class Rollback(Exception):
    pass


class OnDisk(File):
    """A file on disk as Django's upload handler leaves it: storage moves it, not copies it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def write_csv(path: Path, megabytes: float, encoding: str) -> int:
    """Write a CSV of about ``megabytes`` MB; return its row count."""
    target, rows, size = megabytes * 1024 * 1024, 0, 0
    with path.open("w", encoding=encoding, newline="") as out:
        out.write(",".join(name for name, *_ in FIELDS) + "\n")
        while size < target:
            block = []
            for i in range(rows, rows + 10_000):
                block.append(
                    f"{DISTRICTS[i % 5]},{i % 997},2026-{i % 12 + 1:02d}-{i % 28 + 1:02d},"
                    f"{i / 7:.3f},第{i}条记录\n"
                )
            text = "".join(block)
            out.write(text)
            size += len(text.encode(encoding))
            rows += 10_000
    return rows


class Command(BaseCommand):
    help = "Time the upload checks and storage of a generated CSV (MB/s, rows/s)."

    def add_arguments(self, parser):
        parser.add_argument("--mb", type=float, default=100.0)
        parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"])

    def handle(self, *args, mb, encoding, **options):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            rows = write_csv(path, mb, encoding)
            size = path.stat().st_size
            self.stdout.write(f"file: {size / 1e6:.1f} MB, {rows} rows, {encoding}")
            self._passes(path, size, rows)
            with contextlib.suppress(Rollback):
                self._service(path, size, rows)

    def _upload(self, path: Path):
        return OnDisk(path.open("rb"), name=path.name)

    def _timed(self, label: str, size: int, call, rows: int = 0):
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
        rate = f", {rows / seconds:,.0f} rows/s" if rows else ""
        self.stdout.write(f"{label}: {seconds:.2f} s, {size / 1e6 / seconds:.1f} MB/s{rate}")
        return result

    def _passes(self, path: Path, size: int, rows: int):
        upload = self._upload(path)
        fields = [Field(name=n, name_en=e, data_type=t, grade="L1") for n, e, t in FIELDS]
        self._timed("sha256 pass", size, lambda: uploads.digest(upload))
        encoding = self._timed("encoding pass", size, lambda: uploads.detect_encoding(upload))
        self._timed(
            "frictionless validation",
            size,
            lambda: uploads.validate_table(str(path), "csv", encoding, fields),
            rows,
        )
        upload.file.close()

    def _service(self, path: Path, size: int, rows: int):
        copy = path.with_name("upload.csv")
        copy.write_bytes(path.read_bytes())
        with transaction.atomic():
            agency = Organization.objects.create(code="bench-upload", name="基准", kind="agency")
            theme = Theme.objects.first() or Theme.objects.create(code="bench", name="基准")
            resource = Resource.objects.create(
                provider=agency,
                theme=theme,
                code="BENCH-UPLOAD",
                title="基准",
                abstract="-",
                format="CSV",
                update_cycle="daily",
                tier="open",
            )
            for n, (name, name_en, data_type) in enumerate(FIELDS):
                Field.objects.create(
                    resource=resource,
                    name=name,
                    name_en=name_en,
                    data_type=data_type,
                    grade="L1",
                    position=n,
                )
            upload = self._upload(copy)
            distribution = self._timed(
                "distribution_upload (all checks + store)",
                size,
                lambda: distribution_upload(
                    actor=SYSTEM, resource=resource, upload=upload, title="bench"
                ),
                rows,
            )
            distribution.file.delete(save=False)
            raise Rollback
