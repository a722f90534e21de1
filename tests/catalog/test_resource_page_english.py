"""The resource page in English (issue 17): every label around the stored content is English,
the data dictionary and the preview lead with the fields' English names, and stored Chinese
(keywords, conditions, coverage, names) is marked lang="zh-Hans"."""

import json
import re

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db

CHINESE_LABELS = [
    "数据项",
    "关键词",
    "开放条件",
    "空间范围",
    "时间范围",
    "英文名称",
    "类型",
    "说明",
    "文本",
    "更新周期",
]


@pytest.fixture
def entry(world):
    resource = f.ResourceFactory(
        provider=world.provider,
        tier="conditional",
        keywords="公交,客流",
        open_conditions="申请人须提交用途。",
        spatial="上海市",
        temporal="2021年至今",
    )
    f.FieldFactory(
        resource=resource, name="线路名称", name_en="line_name", description="线路的名称"
    )
    return resource


def visible_text(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"<[^>]+>", " ", main)


def test_resource_page__english_labels_and_marked_chinese(entry):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/resources/{entry.pk}/").content.decode()
    for label in (
        "Data dictionary",
        "Keywords",
        "Conditions of access:",
        "Spatial coverage",
        "Temporal coverage",
        "Chinese name",
        "Type",
        "Description",
        "Text",
    ):
        assert label in page, label
    text = visible_text(page)
    for label in CHINESE_LABELS:
        assert label not in text, label
    assert '<td><code>line_name</code></td><td><span lang="zh-Hans">线路名称</span></td>' in page
    for stored in ("公交", "客流", "申请人须提交用途。", "上海市", "2021年至今", "线路的名称"):
        assert f'<span lang="zh-Hans">{stored}</span>' in page, stored


def test_resource_page__chinese_keeps_its_labels(entry):
    page = Client().get(f"/resources/{entry.pk}/").content.decode()
    assert "<td>线路名称</td><td><code>line_name</code></td>" in page
    assert "英文名称" in page
    assert '<span lang="zh-Hans">' not in page[page.index("<main") :]


def test_api_module_is_not_called_read_only():
    import catalog.api.views

    assert "Read-only" not in catalog.api.views.__doc__


def test_resource_page__english_preview_and_explorer_use_english_column_names(make_table):
    resource = make_table("open_L1", n=5)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/resources/{resource.pk}/").content.decode()
    headers = re.search(r'<table class="preview-table">\s*<thead>(.*?)</thead>', page, re.S)
    assert "<code>district</code>" in headers.group(1) and "行政区" not in headers.group(1)
    config = re.search(r'<script id="explorer-config"[^>]*>(.*?)</script>', page, re.S).group(1)
    labels = [field["name"] for field in json.loads(config)["fields"]]
    assert {"district", "count", "day"} <= set(labels)
    assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
    chinese = Client().get(f"/resources/{resource.pk}/").content.decode()
    config = re.search(r'<script id="explorer-config"[^>]*>(.*?)</script>', chinese, re.S)
    assert "行政区" in [field["name"] for field in json.loads(config.group(1))["fields"]]
