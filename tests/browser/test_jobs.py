"""In a real browser: a clerk uploads a file too large for the request, lands on the job's
page, watches the progress bar move as a worker runs the import, and sees the outcome; then
asks for a background XLSX export and downloads it. All under the CSP."""

import threading
import time

import pytest
from django.db import connection

from catalog.models import Resource
from portal.jobs import services
from portal.jobs.models import Job
from portal.jobs.services import job_run
from tests import factories as f
from tests.browser.test_import import WATCH_CSP
from tests.portal.jobs.helpers import agency_editor, import_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _slow_worker(monkeypatch, delay: float):
    """Run queued jobs in a thread, each row of an import slowed down so the page sees the
    progress between the first and the last row."""
    real = services.Reporter.__call__

    def slowed(self, done, total=None, **kwargs):
        time.sleep(delay)
        real(self, done, total, force=True)

    monkeypatch.setattr(services.Reporter, "__call__", slowed)

    stop = threading.Event()

    def work():
        try:
            while not stop.wait(0.2):
                for job in Job.objects.filter(state=Job.State.QUEUED):
                    job_run(job_id=job.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()

    def halt():
        stop.set()
        thread.join(timeout=30)

    return halt


def test_clerk_follows_a_large_import_and_downloads_an_export(
    live_server, browser_page, tmp_path, settings, monkeypatch
):
    settings.JOBS_IMPORT_ROWS = 20
    agency, _clerk = agency_editor()
    path = tmp_path / "entries.csv"
    path.write_bytes(import_csv(60))
    page = browser_page
    page.add_init_script(WATCH_CSP)
    page.goto(live_server.url + "/accounts/login/?next=/workspace/import/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/import/")

    page.set_input_files("#id_file", str(path))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.locator("#job-bar").count() == 1
    halt = _slow_worker(monkeypatch, 0.05)
    try:
        _follow(page, agency, job, live_server.url)
    finally:
        halt()


def _follow(page, agency, job, base: str):
    # The bar moves while the rows are imported (the worker's transaction is still open).
    page.wait_for_function(
        "() => { const bar = document.getElementById('job-bar');"
        " return bar.value > 0 && bar.value < 60; }"
    )
    page.wait_for_selector("#job-message.success")
    assert "60" in page.locator("#job-message").inner_text()
    assert Resource.objects.filter(provider=agency).count() == 60
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED

    # A background export of the catalogue, downloaded from its job page.
    page.goto(base + "/resources/")
    page.locator("form.export-job button[type=submit]").last.click()
    page.wait_for_selector("a[href$='/download/']")
    with page.expect_download() as download:
        page.locator("a[href$='/download/']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("window.__csp") == []
