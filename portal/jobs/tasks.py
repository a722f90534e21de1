"""The one task the worker runs: a job, by its id. Everything else about the job (what it
does, its retries, its record) is in ``portal.jobs.services``; the queue only carries ids."""

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    """Run job ``job_id`` (see :func:`portal.jobs.services.job_run`); returns its state."""
    from portal.jobs.services import job_run

    return job_run(job_id=job_id).state
