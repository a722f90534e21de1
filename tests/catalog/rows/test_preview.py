"""The resource page's data preview: the first rows for callers who may query, from the same
selector as the row API (so the same masking), and an explanation for everyone else."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.access_truth import CASES, QUERY, VIEW
from tests.search_index import indexed

pytestmark = pytest.mark.django_db


class PreviewParser(HTMLParser):
    """Collects the preview section's text, table header cells and body rows."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # > 0 inside <section id="preview">
        self.header, self.rows, self.text, self.cell = [], [], [], None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "section" and ("id", "preview") in attrs:
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag in ("th", "td") and self.cell is not None:
            (self.rows[-1] if self.in_body else self.header).append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self.cell is not None:
                self.cell += data


def preview(client, resource, **headers) -> PreviewParser:
    response = client.get(reverse("catalog:resource-detail", args=[resource.pk]), **headers)
    assert response.status_code == 200
    parser = PreviewParser()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize(("variant", "kind"), [c for c in CASES if c[1] in VIEW[c[0]]])
def test_preview_is_shown_exactly_to_those_who_may_query(as_user, make_table, variant, kind):
    resource = make_table(variant, n=25)
    page = preview(as_user(kind), resource, HTTP_ACCEPT_LANGUAGE="en")
    text = " ".join(page.text)
    if kind in QUERY[variant]:
        assert len(page.rows) == 10  # the first ten of 25
        # English pages head the columns with the fields' English names
        assert [row[page.header.index("district")] for row in page.rows][:3] == [
            "黄浦区",
            "徐汇区",
            "浦东新区",
        ]
        assert "The first 10 of 25 rows." in text
    else:
        assert page.rows == [] and page.header == []
        assert "The rows of this resource are not shown to you." in text
        assert "apply" in text.lower() or "not open to the public" in text
    has_l3_field = resource.grade in ("L3", "L4")
    sees_l3 = kind in QUERY[variant] and kind in ("agency_staff", "grantee", "operator")
    assert ("310101199001" in text) is (has_l3_field and sees_l3)


def test_preview_hides_fields_above_the_callers_grade(as_user, make_table):
    resource = make_table("restricted_L4", n=3)
    page = preview(as_user("operator"), resource, HTTP_ACCEPT_LANGUAGE="en")
    assert "id_number" in page.header and "core" not in page.header
    assert "核心1" not in " ".join(page.text)
    text = " ".join(page.text)
    note = "Fields above the security grade your access covers are hidden: "
    assert note in text
    hidden = [name.strip() for name in text.split(note)[1].split("\n")[0].split(",")]
    assert "core" in hidden and "id_number" not in hidden
    staff = preview(as_user("agency_staff"), resource)
    assert "核心字段" in staff.header and staff.rows[0][staff.header.index("核心字段")] == "核心1"


def test_preview_of_a_conditional_resource_asks_anonymous_visitors_to_log_in(client, make_table):
    resource = make_table("conditional_L2", n=3)
    text = " ".join(preview(client, resource, HTTP_ACCEPT_LANGUAGE="en").text)
    assert "Log in, then apply for access" in text
    assert "浦东新区" not in text


def test_preview_without_loaded_rows_says_so(client, make_resource):
    resource = make_resource("open_L1")
    page = preview(client, resource, HTTP_ACCEPT_LANGUAGE="en")
    assert page.rows == []
    assert "No tabular data of this resource has been loaded." in " ".join(page.text)


def test_preview_of_a_truncated_table_says_so(client, make_table, settings):
    settings.ROWS_MAX_LOADED = 12
    resource = make_table("open_L1", n=20)
    text = " ".join(preview(client, resource, HTTP_ACCEPT_LANGUAGE="en").text)
    assert "Only the first 12 rows of the file are loaded." in text
    assert "The first 10 of 12 rows." in text


def test_preview_is_in_chinese_by_default(client, make_table):
    resource = make_table("open_L1", n=3)
    page = preview(client, resource)
    assert page.header[1:6] == ["行政区", "数量", "日期", "备注", "比例"]
    assert "数据预览" in " ".join(page.text)


def test_preview_escapes_cell_text(client, make_resource):
    from django.core.files.base import ContentFile

    from catalog.rows.services import rows_load
    from tests import factories as f

    resource = make_resource("open_L1")
    f.FieldFactory(resource=resource, name="名称", name_en="label")
    data = "名称\n<script>alert(1)</script>\n".encode()
    rows_load(
        distribution=f.DistributionFactory(resource=resource, file=ContentFile(data, name="x.csv"))
    )
    html = client.get(reverse("catalog:resource-detail", args=[resource.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_page_query_count_with_preview_is_fixed(client, make_table, django_assert_max_num_queries):
    resource = make_table("open_L1", n=25)
    indexed()  # the page's own queries, not the one-time indexing of the new entry
    # 12, plus the showcases built on the entry and whether the visitor may cite it in one,
    # plus the related entries (one query however many)
    with django_assert_max_num_queries(15):
        client.get(reverse("catalog:resource-detail", args=[resource.pk]))
