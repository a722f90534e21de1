"""What people see of jobs: my jobs (their own only, a fixed number of queries), the job
page with its progress and result or error, the JSON status, the download (owner and
platform staff only; 404 for everyone else), starting exports and upkeep jobs, and large
imports handed to a job. Bad input gets a 4xx and changes nothing."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from catalog.models import Resource
from grading.models import PlatformRole
from portal.jobs.models import Job
from portal.jobs.services import job_create
from tests import factories as f
from tests.portal.jobs.helpers import agency_editor, import_csv, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    _agency, clerk = agency_editor()
    other = f.UserFactory(username="other")
    admin = f.UserFactory(username="admin")
    f.platform_role(admin, PlatformRole.Role.PLATFORM_ADMIN)
    auditor = f.UserFactory(username="auditor")
    f.platform_role(auditor, PlatformRole.Role.AUDITOR)
    return {"clerk": clerk, "other": other, "admin": admin, "auditor": auditor}


def _export_job(owner, query="", fmt="csv"):
    params = {"query": query, "format": fmt, "language": "en"}
    return job_create(owner=owner, kind="export", params=params)


def _entries(n: int):
    agency = f.OrganizationFactory(code="pub")
    return [
        f.ResourceFactory(provider=agency, code=f"PUB-{i:03d}", tier="open", grade="L1")
        for i in range(n)
    ]


# ---------------------------------------------------------------------------------------------
# My jobs
# ---------------------------------------------------------------------------------------------


def test_my_jobs__lists_own_jobs_only(client, people):
    mine = _export_job(people["clerk"])
    theirs = _export_job(people["other"])
    client.force_login(people["clerk"])
    page = client.get("/jobs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "My jobs" in body and "Catalogue export" in body and "Queued" in body
    assert f'href="/jobs/{mine.pk}/"' in body
    assert f'href="/jobs/{theirs.pk}/"' not in body


def test_my_jobs__anonymous_is_sent_to_log_in(client):
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/jobs/").status_code == 200
    return len(queries)


def test_my_jobs__query_count_does_not_grow(client, people):
    client.force_login(people["clerk"])
    for _ in range(2):
        _export_job(people["clerk"])
    few = _queries(client)
    for _ in range(18):
        _export_job(people["clerk"])
    assert _queries(client) == few <= 8


def test_my_jobs__numbered_pages(client, people, settings):
    settings.JOBS_PAGE_SIZE = 2
    client.force_login(people["clerk"])
    for _ in range(7):
        _export_job(people["clerk"])
    page = client.get("/jobs/?page=2").content.decode()
    assert '<span aria-current="page" aria-label="Page 2">2</span>' in page
    for number in (1, 3, 4):
        assert f'<a href="?page={number}" aria-label="Page {number}">{number}</a>' in page


def test_my_jobs__bad_page_is_404(client, people):
    client.force_login(people["clerk"])
    assert client.get("/jobs/?page=x").status_code == 404
    assert client.get("/jobs/?page=9").status_code == 404


# ---------------------------------------------------------------------------------------------
# One job: page, status, download
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["other", "anonymous"])
@pytest.mark.parametrize("suffix", ["", "status.json", "download/"])
def test_job_endpoints__others_get_404(client, people, kind, suffix):
    job = run(_export_job(people["clerk"]))
    if kind != "anonymous":
        client.force_login(people[kind])
    response = client.get(f"/jobs/{job.pk}/{suffix}")
    if kind == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("kind", ["clerk", "admin", "auditor"])
def test_download__owner_and_platform_staff(client, people, kind):
    _entries(3)
    job = run(_export_job(people["clerk"]))
    assert job.state == Job.State.SUCCEEDED
    client.force_login(people[kind])
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4  # header and three entries


def test_download__not_before_the_job_is_done(client, people):
    job = _export_job(people["clerk"])
    client.force_login(people["clerk"])
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_job_page__running_shows_progress_and_refreshes(client, people):
    job = _export_job(people["clerk"])
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, done=40, total=160)
    client.force_login(people["clerk"])
    body = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-bar" max="160" value="40">' in body
    assert '<meta http-equiv="refresh" content="3">' in body  # without scripts
    assert "portal/jobs" in body and "Running" in body
    status = client.get(f"/jobs/{job.pk}/status.json").json()
    assert status == {
        "id": job.pk,
        "state": "running",
        "state_label": "Running",
        "done": 40,
        "total": 160,
        "percent": 25,
        "message": "",
        "finished": False,
    }


def test_job_page__succeeded_offers_the_file(client, people):
    _entries(2)
    job = run(_export_job(people["clerk"], fmt="xlsx"))
    client.force_login(people["clerk"])
    body = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Succeeded" in body and "2 entries exported." in body
    assert f'href="/jobs/{job.pk}/download/"' in body
    assert 'http-equiv="refresh"' not in body
    response = client.get(f"/jobs/{job.pk}/download/")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.worksheets[0].max_row == 3


def test_job_page__failed_shows_the_error_and_row_table(client, people):
    _agency, clerk = people["clerk"], people["clerk"]
    job = job_create(
        owner=clerk,
        kind="import",
        params={"organization": "agency", "file_name": "e.csv", "language": "en"},
        input_data=import_csv(5, bad_row=4),
        input_name="e.csv",
    )
    job = run(job)
    client.force_login(clerk)
    body = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Failed" in body and "nothing was imported" in body
    assert "<td>5</td><td>theme</td>" in body
    assert "download/" not in body
    assert Resource.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Starting jobs
# ---------------------------------------------------------------------------------------------


def test_export_start__queues_a_job_for_the_search(client, people):
    client.force_login(people["clerk"])
    response = client.post("/jobs/export.xlsx?q=&ordering=title")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.kind, job.state) == (people["clerk"], "export", "queued")
    assert job.params["format"] == "xlsx" and "ordering=title" in job.params["query"]


@pytest.mark.parametrize("query", ["ordering=colour", "tier=nonsense"])
def test_export_start__bad_search_is_400_and_queues_nothing(client, people, query):
    client.force_login(people["clerk"])
    response = client.post(f"/jobs/export.csv?{query}")
    assert response.status_code == 400
    assert Job.objects.count() == 0


def test_export_start__needs_post_and_a_login(client, people):
    assert client.post("/jobs/export.csv").status_code == 302
    client.force_login(people["clerk"])
    assert client.get("/jobs/export.csv").status_code == 405
    assert client.post("/jobs/export.pdf").status_code == 404
    assert Job.objects.count() == 0


def test_export_job__sees_only_what_the_owner_may_see(people):
    agency = f.OrganizationFactory(code="pub")
    f.ResourceFactory(provider=agency, code="OPEN-1", tier="open", grade="L1")
    f.ResourceFactory(provider=agency, code="SECRET-1", tier="restricted", grade="L4")
    job = run(_export_job(people["other"]))
    assert job.result["entries"] == 1


def test_job_start__platform_admin_starts_reindexing(client, people, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "portal.jobs.kinds.call_command", lambda name, *a, **k: calls.append((name, a))
    )
    client.force_login(people["admin"])
    assert "Start: Search reindexing" in client.get("/jobs/").content.decode()
    response = client.post("/jobs/start/", {"kind": "search_reindex"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert run(job).state == Job.State.SUCCEEDED
    assert calls == [("search_reindex", ())]


def test_job_start__others_are_refused(client, people):
    client.force_login(people["clerk"])
    assert "Start:" not in client.get("/jobs/").content.decode()
    assert client.post("/jobs/start/", {"kind": "search_reindex"}).status_code == 403
    client.force_login(people["admin"])
    assert client.post("/jobs/start/", {"kind": "import"}).status_code == 400
    assert client.post("/jobs/start/", {"kind": "rm -rf"}).status_code == 400
    assert Job.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Imports: large files become jobs, small ones stay in the request
# ---------------------------------------------------------------------------------------------


def _upload(data: bytes):
    return SimpleUploadedFile("entries.csv", data, content_type="text/csv")


def test_import__large_file_becomes_a_job(client, people, settings):
    settings.JOBS_IMPORT_ROWS = 10
    client.force_login(people["clerk"])
    response = client.post(
        "/workspace/import/", {"organization": "agency", "file": _upload(import_csv(11))}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.owner, job.total) == ("import", people["clerk"], 11)
    assert Resource.objects.count() == 0  # nothing yet: the worker does it
    assert run(job).state == Job.State.SUCCEEDED
    assert Resource.objects.count() == 11


def test_import__large_file_by_script_gets_the_job_address(client, people, settings):
    settings.JOBS_IMPORT_BYTES = 100
    client.force_login(people["clerk"])
    response = client.post(
        "/workspace/import/",
        {"organization": "agency", "file": _upload(import_csv(2))},
        HTTP_ACCEPT="application/x-ndjson",
    )
    job = Job.objects.get()
    assert response.status_code == 202
    assert json.loads(response.content) == {"event": "job", "url": f"/jobs/{job.pk}/"}


def test_import__small_file_stays_in_the_request(client, people):
    client.force_login(people["clerk"])
    response = client.post(
        "/workspace/import/", {"organization": "agency", "file": _upload(import_csv(3))}
    )
    assert response.status_code == 200
    assert Resource.objects.count() == 3 and Job.objects.count() == 0


def test_import__bad_large_file_is_refused_before_any_job(client, people, settings):
    settings.JOBS_IMPORT_ROWS = 1
    client.force_login(people["clerk"])
    bad = SimpleUploadedFile("entries.csv", b"\x00\x01\x02 not a table", content_type="text/csv")
    response = client.post("/workspace/import/", {"organization": "agency", "file": bad})
    assert response.status_code == 400
    assert Job.objects.count() == 0
