"""The same English word means different things in different places; message contexts keep their
Chinese apart (issue 17, item 2): a feedback item waiting for an answer is 待处理, never the tier
无条件开放, and the inbox's kind column is not headed 机构类型."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from grading.feedback import services as fb
from grading.grades import Tier
from grading.models import Feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world, make_resource):
    resource = make_resource("open_L1")
    created, _new = fb.feedback_submit(
        actor=world.users["citizen"],
        kind="correction",
        resource=resource,
        title="数值有误",
        text="第2行",
    )
    return created


def test_labels_by_context():
    with translation.override("zh-hans"):
        assert str(Feedback.Status.OPEN.label) == "待处理"
        assert str(Tier.OPEN.label) == "无条件开放"
    with translation.override("en"):
        assert str(Feedback.Status.OPEN.label) == "Open"


def main(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def test_inbox_tabs_status_column_and_header(client, world, item):
    client.force_login(world.users["agency_staff"])
    page = main(client.get(reverse("grading:feedback-inbox")))
    assert "无条件开放" not in page
    assert "待处理" in page
    header = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    assert "机构类型" not in header and "类别" in header


def test_feedback_detail_shows_the_status_not_the_tier(client, world, item):
    client.force_login(world.users["citizen"])
    page = main(client.get(reverse("grading:feedback-detail", args=[item.pk])))
    assert "待处理" in page and "无条件开放" not in page
