"""The entry page's new parts in English: the grant held, the record count's source, the
explorer's views and the use counts."""

import pytest
from django.urls import reverse

from tests.english import client, english  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):  # noqa: F811
    def login(kind):
        if kind != "anonymous":
            client.force_login(world.users[kind])
        return client

    return login


def test_grantee_reads_the_grant_in_english(as_user, world, make_table):
    resource = make_table("conditional_L1", n=3)
    grant = resource.grants.get(grantee=world.users["grantee"])
    body = as_user("grantee").get(reverse("catalog:resource-detail", args=[resource.pk]))
    text = body.content.decode()
    assert f"You hold grant #{grant.pk} for this data, valid from" in text
    assert "No quota limit." in text and "Apply for access" not in text
    for label in ("Explore the data", "Table", "Chart", "Views", "Downloads", "API calls"):
        assert label in text
    assert "(rows in the published file)" in text


def test_anonymous_reads_how_to_follow(as_user, make_table):
    resource = make_table("open_L1", n=3)
    text = as_user("anonymous").get(reverse("catalog:resource-detail", args=[resource.pk]))
    text = text.content.decode()
    assert "Log in to follow this entry" in text and "Atom feed of its changes" in text
