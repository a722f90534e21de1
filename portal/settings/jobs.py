"""Background jobs and scheduled work (portal.jobs; docs/JOBS.md): applied to the base settings'
namespace by ``configure(globals())`` at the end of ``base.py``, so the block stays in one place
and reads the names it extends (``INSTALLED_APPS``, ``CACHES``, ``CACHE_DIR``)."""

import os


def configure(settings: dict) -> None:  # noqa: C901 - one flat block of settings
    """Add the jobs' settings to the module namespace ``settings``."""
    INSTALLED_APPS = settings["INSTALLED_APPS"]  # noqa: N806
    CACHES = settings["CACHES"]  # noqa: N806
    CACHE_DIR = settings["CACHE_DIR"]  # noqa: N806
    before = set(locals())
    # Django's Tasks API through the django-tasks backport (the same code runs on Django 6's
    # django.tasks). The embedded default keeps the queue in the database and `manage.py
    # db_worker` runs it (`make run` starts one). For many workers on Redis set
    # TASKS_BACKEND=django_tasks_rq.RQBackend and RQ_URL (pip install '.[rq]'; workers run
    # `manage.py rqworker --job-class django_tasks_rq.Job`).
    INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
    TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
    if TASKS_BACKEND.startswith("django_tasks_rq."):
        INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
        RQ_QUEUES = {"default": {"URL": os.environ.get("RQ_URL", "redis://127.0.0.1:6379/0")}}
    # Progress and heartbeats of running jobs: a cache every process shares (Redis with
    # REDIS_URL, else files under var/cache/jobs), so a page sees the progress of an import whose
    # rows are not committed yet.
    CACHES["jobs"] = (
        {**CACHES["counters"], "KEY_PREFIX": "jobs"}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "portal.filecache.SharedFileCache", "LOCATION": str(CACHE_DIR / "jobs")}
    )
    # Imports larger than this (rows or bytes) run as background jobs; smaller ones stay in the
    # request. Exports run as jobs when asked for from the catalogue page.
    JOBS_IMPORT_ROWS = int(os.environ.get("JOBS_IMPORT_ROWS", "2000"))
    JOBS_IMPORT_BYTES = int(os.environ.get("JOBS_IMPORT_BYTES", str(2**20)))
    # A running job whose heartbeat is older than this (seconds) is taken for dead (its worker
    # was killed) and queued again; a failing job is tried at most this many times.
    JOBS_HEARTBEAT_TIMEOUT = int(os.environ.get("JOBS_HEARTBEAT_TIMEOUT", "120"))
    JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))
    JOBS_PAGE_SIZE = 20
    # Scheduled work: entry name -> {"job": kind (default: the name), "every": "15m"/"1h"/"1d",
    # "at": "HH:MM" local time for daily entries}. `manage.py run_scheduler` enqueues due slots;
    # a slot is claimed once in the database, so two schedulers never run it twice.
    PORTAL_SCHEDULE = {
        "expire_grants": {"every": "1d", "at": "01:00"},
        "expire_agreements": {"every": "1d", "at": "01:05"},
        "overdue_notices": {"every": "1d", "at": "08:30"},
        "refresh_quality": {"every": "1d", "at": "02:00"},
        "audit_head": {"every": "1d", "at": "03:00"},
    }
    settings.update({k: v for k, v in locals().items() if k.isupper() and k not in before})
    settings["INSTALLED_APPS"] = INSTALLED_APPS
