"""Verify the audit chain; exit non-zero naming the first row that does not match.

``--expect-head ROW:HASH`` (repeatable) and the file of published heads (``AUDIT_HEADS_FILE``,
or ``--heads-file``) anchor the chain: the command also fails when the chain no longer holds a
published head, because its last rows were deleted or the chain was rewritten and re-hashed.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from grading import audit
from grading.models import AuditEvent


def _head(text: str) -> audit.Head:
    try:
        return audit.Head.parse(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = (
        "Walk the audit chain and name the first row whose hash or link does not match, or "
        "that no longer matches a published head."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="ROW:HASH",
            help="A head published earlier (audit_head): the chain must still hold it.",
        )
        parser.add_argument(
            "--heads-file",
            type=Path,
            help="File of published heads to check (default: AUDIT_HEADS_FILE, if it exists).",
        )

    def handle(self, *args, **options):
        expected = [_head(text) for text in options["expect_head"]]
        heads_file = self._heads_file(options["heads_file"])
        if heads_file is not None:
            try:
                expected += audit.published_heads(heads_file)
            except ValueError as exc:
                raise CommandError(f"{heads_file}: {exc}") from exc
        checked, broken = audit.verify(expect=expected)
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at row {broken.seq}: {broken.reason} "
                f"({checked} rows before it verified)."
            )
        legacy = AuditEvent.objects.filter(alg=audit.LEGACY).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {checked} rows verified ({legacy} legacy unkeyed); "
                f"head {audit.head()}; {len(expected)} published heads held."
            )
        )

    def _heads_file(self, given: Path | None) -> Path | None:
        if given is not None:
            if not given.exists():
                raise CommandError(f"No file of published heads at {given}.")
            return given
        default = Path(settings.AUDIT_HEADS_FILE)
        return default if default.exists() else None
