"""In a real browser: an agency editor imports a file on the workspace page; the local script
streams the progress into the <progress> bar and shows the outcome, under the CSP."""

import csv
import io

import pytest

from catalog.models import Organization, Resource
from catalog.publishing import importer
from grading.models import Membership
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def _file(tmp_path, rows: int, bad_row: int | None = None):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importer.COLUMNS)
    writer.writeheader()
    for i in range(rows):
        row = {**importer.EXAMPLE_ROW, "code": f"BR-{i:04d}", "theme": "env"}
        if i == bad_row:
            row["theme"] = "nope"
        writer.writerow(row)
    path = tmp_path / "entries.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def test_editor_imports_with_progress(live_server, browser_page, tmp_path):
    agency = f.OrganizationFactory(code="agency", kind=Organization.Kind.AGENCY)
    f.ThemeFactory(code="env")
    editor = f.UserFactory(username="editor")
    f.membership(editor, agency, Membership.Role.EDITOR)
    page = browser_page
    page.add_init_script(WATCH_CSP)
    page.goto(live_server.url + "/accounts/login/?next=/workspace/import/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/import/")

    page.set_input_files("#id_file", _file(tmp_path, 120, bad_row=57))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_selector("#import-outcome table.import-errors")
    assert page.locator("#import-outcome table td").first.inner_text() == "59"
    assert Resource.objects.count() == 0

    page.set_input_files("#id_file", _file(tmp_path, 120))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_selector("#import-outcome .success")
    assert page.eval_on_selector("#import-bar", "bar => [bar.value, bar.max]") == [120, 120]
    assert page.locator("#import-count").inner_text() == "120 / 120"
    assert Resource.objects.filter(provider=agency).count() == 120
    assert page.evaluate("window.__csp") == []
