"""Starting jobs from the command line, and the Chinese job pages (the site's default)."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from portal.jobs.models import Job
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests read the Chinese pages: no English here."""
    yield


def test_job_start__harvest_with_its_arguments():
    f.UserFactory(username="harvester")
    call_command("job_start", "harvest", "--owner", "harvester", "--args", "--ckan x.jsonl")
    job = Job.objects.get()
    assert (job.kind, job.owner.username) == ("harvest", "harvester")
    assert job.params == {"args": ["--ckan", "x.jsonl"]}


def test_job_start__refuses_unknown_owner_and_page_kinds():
    with pytest.raises(CommandError):
        call_command("job_start", "search_reindex", "--owner", "nobody")
    with pytest.raises(CommandError):
        call_command("job_start", "import")
    assert Job.objects.count() == 0


def test_harvest_job_with_bad_arguments_fails_without_retries():
    from tests.portal.jobs.helpers import run

    call_command("job_start", "harvest", "--args", "--org no-such-agency")
    job = run(Job.objects.get())
    assert job.state == Job.State.FAILED and job.attempts == 1


def test_job_pages_in_chinese():
    owner = f.UserFactory()
    job = Job.objects.create(owner=owner, kind="export", state="running", done=5, total=10)
    client = Client()
    client.force_login(owner)
    listing = client.get("/jobs/").content.decode()
    assert "我的任务" in listing and "目录导出" in listing and "运行中" in listing
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "进度" in page and "尝试次数" in page
