"""A page that carries a confirmation is never served from the anonymous page cache, nor stored in
it: the visitor who sent a correction sees the confirmation on the page they land on, and the next
visitor does not (issue 17, item 1)."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_on")]


def test_the_confirmation_shows_on_the_cached_entry_page(client, make_resource):
    resource = make_resource("open_L1")
    page_url = reverse("catalog:resource-detail", args=[resource.pk])
    assert client.get(page_url)["X-Cache"] == "miss"
    assert client.get(page_url)["X-Cache"] == "hit"  # the entry page is now cached

    form_url = reverse("grading:feedback-new", args=[resource.pk, "correction"])
    key = client.get(form_url).context["form"]["submission_key"].value()
    sent = client.post(form_url, {"title": "数值有误", "text": "第2行", "submission_key": key})
    assert sent.status_code == 302 and sent["Location"] == page_url

    landed = client.get(page_url)
    assert "X-Cache" not in landed  # neither served from the cache nor stored in it
    body = landed.content.decode()
    assert "Thank you" in body or "感谢" in body

    # Shown once: the next page is the cached one again, without the message.
    after = client.get(page_url)
    assert after["X-Cache"] == "hit"
    assert "感谢" not in after.content.decode() and "Thank you" not in after.content.decode()


def test_a_message_does_not_reach_another_unrelated_page(client, make_resource):
    resource = make_resource("open_L1")
    form_url = reverse("grading:feedback-new", args=[resource.pk, "request"])
    key = client.get(form_url).context["form"]["submission_key"].value()
    client.post(form_url, {"title": "开放需求", "text": "请开放", "submission_key": key})
    client.get(reverse("catalog:resource-detail", args=[resource.pk]))  # the message is shown
    later = client.get("/resources/")
    body = later.content.decode()
    assert "感谢" not in body and "Thank you" not in body
