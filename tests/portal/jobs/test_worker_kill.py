"""A real worker killed in the middle of a large import: nothing of the import is left, and
the next worker (``run_worker``) picks the job up again and runs it to success.

Everything runs in child processes on a fresh SQLite file of their own (the test's in-memory
database is not shared with them); the test reads that file directly."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.portal.jobs.helpers import import_csv

ROOT = Path(__file__).resolve().parents[3]
ROWS = 4000

SETUP = """
import sys
import django

django.setup()
from catalog.models import Organization, Theme
from django.contrib.auth import get_user_model
from grading.models import Membership
from portal.jobs.services import job_create

agency = Organization.objects.create(code="agency", name="机构", kind=Organization.Kind.AGENCY)
Theme.objects.create(code="env", name="生态环境")
clerk = get_user_model().objects.create_user("clerk", password="x")
Membership.objects.create(user=clerk, organization=agency, role=Membership.Role.EDITOR)
job = job_create(
    owner=clerk, kind="import", params={"organization": "agency", "file_name": "e.csv"},
    input_data=open(sys.argv[1], "rb").read(), input_name="e.csv",
)
print(job.pk)
"""


def _env(var: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.base", PORTAL_VAR_DIR=str(var), **extra)
    return env


def _manage(var, *args, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(var, **extra),
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _read(var: Path, sql: str):
    with sqlite3.connect(var / "portal.sqlite3", timeout=30) as db:
        return db.execute(sql).fetchone()


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_killed_worker__import_left_nothing_and_is_rerun_to_success(tmp_path):
    var = tmp_path / "var"
    _manage(var, "migrate", "--noinput")
    data = tmp_path / "entries.csv"
    data.write_bytes(import_csv(ROWS))
    made = subprocess.run(
        [sys.executable, "-c", SETUP, str(data)],
        cwd=ROOT,
        env=_env(var),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    job_id = int(made.stdout.strip().splitlines()[-1])

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=_env(var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _read(var, f"select state from portal_job where id={job_id}")[0] != "running":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        time.sleep(2)  # well into the rows, far from their end
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    state, attempts = _read(var, f"select state, attempts from portal_job where id={job_id}")
    assert (state, attempts) == ("running", 1)
    assert _read(var, "select count(*) from catalog_resource")[0] == 0

    # The next worker finds the job's heartbeat stale, queues it again and runs it.
    _manage(var, "run_worker", "--batch", "--interval", "0", JOBS_HEARTBEAT_TIMEOUT="0")
    state, attempts, done = _read(
        var, f"select state, attempts, done from portal_job where id={job_id}"
    )
    assert (state, attempts, done) == ("succeeded", 2, ROWS)
    assert _read(var, "select count(*) from catalog_resource")[0] == ROWS
