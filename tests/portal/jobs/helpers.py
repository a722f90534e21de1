"""Shared pieces of the job tests: an agency with an editor, import files, running a job."""

import csv
import io

from catalog.models import Organization
from catalog.publishing import importer
from grading.models import Membership
from portal.jobs.services import job_run
from tests import factories as f

ABSTRACT = "本数据集记录全市各监测点位的逐日观测结果，包含点位编码、名称、观测时间和观测值。"


def agency_editor(username: str = "clerk"):
    agency = f.OrganizationFactory(code="agency", kind=Organization.Kind.AGENCY)
    f.ThemeFactory(code="env", name="生态环境")
    editor = f.UserFactory(username=username)
    f.membership(editor, agency, Membership.Role.EDITOR)
    return agency, editor


def import_csv(rows: int, *, bad_row: int | None = None, prefix: str = "JOB") -> bytes:
    """An import file of ``rows`` entries; entry ``bad_row`` (1-based) names an unknown theme."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importer.COLUMNS)
    writer.writeheader()
    base = {**importer.EXAMPLE_ROW, "theme": "env", "abstract": ABSTRACT, "fields": ""}
    for i in range(1, rows + 1):
        row = {**base, "code": f"{prefix}-{i:06d}"}
        if i == bad_row:
            row["theme"] = "no-such-theme"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def run(job):
    """Run ``job`` as a worker would, and read it back."""
    job_run(job_id=job.pk)
    job.refresh_from_db()
    return job
