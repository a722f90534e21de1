"""Measure background jobs end to end with real worker processes (``run_worker``): a large
import with its progress as a page sees it, the same import with the worker killed part-way
and a new worker finishing it, an import that fails on one row, and a catalogue export.

It writes to the database it is pointed at (new entries, users, jobs): run it on a
throwaway one, e.g. ``PORTAL_VAR_DIR=/tmp/bench`` after ``migrate`` and ``generate_catalog``.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, CommandError

from catalog.models import Organization, Resource, Theme
from catalog.publishing.importer import COLUMNS, EXAMPLE_ROW
from grading.models import Membership
from portal.jobs.models import Job
from portal.jobs.services import job_create, progress_of

ROOT = Path(settings.BASE_DIR)


# Rows a little shorter than the template's (no dictionary), so 50,000 stay under
# IMPORT_MAX_BYTES.
ABSTRACT = "全市国控和市控空气质量监测站点逐小时发布的六项污染物浓度和空气质量指数。"


def sample(count: int, prefix: str, theme: str, bad_row: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for i in range(1, count + 1):
        row = {**EXAMPLE_ROW, "code": f"{prefix}-{i:06d}", "theme": theme}
        row.update(abstract=ABSTRACT, fields="", open_conditions="")
        row["title"] = f"{EXAMPLE_ROW['title']}（样例{i}）"
        if i == bad_row:
            row["theme"] = "no-such-theme"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


class Worker:
    """A ``run_worker`` child process."""

    def __init__(self, **env):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--verbosity", "0"],
            cwd=ROOT,
            env={**os.environ, **{k: str(v) for k, v in env.items()}},
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


class Command(BaseCommand):
    help = (
        "Time background jobs with real workers: an import of --rows entries (progress "
        "sampled every second), the same killed after --kill-after seconds and resumed by a "
        "new worker, one failing at row --fail-at, XLSX/CSV exports of the catalogue, and an "
        "XLSX export killed after --export-kill-after seconds and resumed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=50_000)
        parser.add_argument("--kill-after", type=float, default=30.0)
        parser.add_argument("--fail-at", type=int, default=40_000)
        parser.add_argument("--export-kill-after", type=float, default=10.0)
        parser.add_argument("--export", default="xlsx,csv", help="formats to export, or ''")
        parser.add_argument(
            "--only",
            default="import,kill,fail,export,export-kill",
            help="which runs, comma-separated",
        )

    def handle(self, *args, **options):
        self.user, self.org, self.theme = self._actors()
        runs = set(options["only"].split(","))
        if "import" in runs:
            self._import(options["rows"], "BENCH-A")
        if "kill" in runs:
            self._killed(options["rows"], "BENCH-B", options["kill_after"])
        if "fail" in runs:
            self._failing(options["fail_at"], "BENCH-C")
        if "export" in runs:
            for fmt in filter(None, options["export"].split(",")):
                self._export(fmt)
        if "export-kill" in runs:
            self._killed_export("xlsx", options["export_kill_after"])

    def _actors(self):
        org = Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("pk").first()
        theme = Theme.objects.order_by("pk").first()
        if org is None or theme is None:
            raise CommandError("No agency or theme: run generate_catalog or load_demo first.")
        user, _ = get_user_model().objects.get_or_create(username="bench-jobs")
        Membership.objects.get_or_create(
            user=user, organization=org, defaults={"role": Membership.Role.EDITOR}
        )
        return user, org, theme

    def _reader(self):
        """A user with no role: sees the published catalogue as any citizen does."""
        return get_user_model().objects.get_or_create(username="bench-jobs-reader")[0]

    def _job(self, kind: str, **params) -> Job:
        data = params.pop("data", None)
        return job_create(
            owner=self.user, kind=kind, params=params, input_data=data, input_name="bench.csv"
        )

    def _watch(self, job: Job, *, limit: float = 3600, until=None) -> tuple[float, list]:
        """Poll the job once a second as its page does: (seconds, [(t, done, total)])."""
        start, samples = time.monotonic(), []
        while True:
            job.refresh_from_db()
            t = time.monotonic() - start
            done, total, _beat = progress_of(job)
            samples.append((round(t, 1), done, total))
            if job.finished or (until and until(t)) or t > limit:
                return t, samples
            time.sleep(1)

    def _report(self, title: str, job: Job, seconds: float, samples: list, extra: str = ""):
        moving = sorted({done for _t, done, _total in samples})
        first = next((t for t, done, _ in samples if done > 0), None)
        self.stdout.write(
            f"{title}: {job.state} in {seconds:.1f} s, attempts {job.attempts}; "
            f"progress seen at {len(moving)} values, first after {first} s; {extra}"
            f"message: {job.message[:160]}"
        )

    def _run_import(self, data: bytes, prefix: str) -> tuple[Job, float, list, int]:
        """Queue an import of ``data``, run a worker until it ends; the job, its time, the
        progress seen and the entries it left."""
        job = self._job("import", organization=self.org.code, file_name="bench.csv", data=data)
        worker = Worker()
        try:
            seconds, samples = self._watch(job)
        finally:
            worker.stop()
        made = Resource.objects.filter(code__startswith=prefix + "-").count()
        return job, seconds, samples, made

    def _import(self, rows: int, prefix: str) -> None:
        data = sample(rows, prefix, self.theme.code)
        job, seconds, samples, made = self._run_import(data, prefix)
        self._report(
            f"import {rows:,} rows",
            job,
            seconds,
            samples,
            f"{made:,} entries, {rows / seconds:.0f} rows/s; ",
        )

    def _killed(self, rows: int, prefix: str, after: float) -> None:
        job = self._job(
            "import",
            organization=self.org.code,
            file_name="bench.csv",
            data=sample(rows, prefix, self.theme.code),
        )
        entries = Resource.objects.filter(code__startswith=prefix + "-")
        self._kill_and_resume(job, after, f"import {rows:,} rows", entries.count)

    def _killed_export(self, fmt: str, after: float) -> None:
        job = job_create(
            owner=self._reader(),
            kind="export",
            params={"query": "", "format": fmt, "language": "zh-hans"},
        )
        self._kill_and_resume(job, after, f"export {fmt}", lambda: int(bool(job.result_file)))

    def _kill_and_resume(self, job: Job, after: float, title: str, written) -> None:
        """Run ``job``, SIGKILL its worker after ``after`` seconds, then let a new worker
        (whose heartbeat limit has passed) pick it up again; ``written()`` counts what the
        job left behind."""
        worker = Worker()
        _t, samples = self._watch(job, until=lambda t: t >= after)
        worker.kill()
        job.refresh_from_db()
        left, done_at_kill = written(), samples[-1][1]
        time.sleep(3)
        restart = time.monotonic()
        worker = Worker(JOBS_HEARTBEAT_TIMEOUT=2)
        try:
            seconds, samples = self._watch(job)
        finally:
            worker.stop()
        self._report(
            f"{title}, worker killed after {after:.0f} s at {done_at_kill:,} done",
            job,
            time.monotonic() - restart,
            samples,
            f"left by the killed worker: {left}; after the new worker: {written():,}; ",
        )

    def _failing(self, bad_row: int, prefix: str) -> None:
        data = sample(bad_row, prefix, self.theme.code, bad_row=bad_row)
        job, seconds, samples, made = self._run_import(data, prefix)
        self._report(
            f"import failing at row {bad_row:,}",
            job,
            seconds,
            samples,
            f"entries written: {made}; ",
        )

    def _export(self, fmt: str) -> None:
        job = job_create(
            owner=self._reader(),
            kind="export",
            params={"query": "", "format": fmt, "language": "zh-hans"},
        )
        worker = Worker()
        try:
            seconds, samples = self._watch(job)
        finally:
            worker.stop()
        size = default_storage.size(job.result_file) if job.result_file else 0
        self._report(
            f"export {fmt}",
            job,
            seconds,
            samples,
            f"{job.result.get('entries', 0):,} entries, {size / 2**20:.1f} MiB; ",
        )
