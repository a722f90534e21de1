"""The Django admin follows the rule-book: who gets in, what they see, and the ceiling on save."""

import pytest
from django.urls import reverse

from catalog.models import Resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "status"),
    [("platform_admin", 200), ("auditor", 200), ("agency_staff", 302), ("citizen", 302)],
)
def test_admin_entry(client, world, kind, status):
    user = world.users[kind]
    client.force_login(user)
    assert client.get(reverse("admin:catalog_resource_changelist")).status_code == status


def test_auditor_may_look_but_not_change(client, world, make_resource):
    resource = make_resource("restricted_L4")
    client.force_login(world.users["auditor"])
    url = reverse("admin:catalog_resource_change", args=[resource.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="tier"' not in page.content  # read-only view
    response = client.post(url, {"title": "changed"})
    assert response.status_code == 403
    resource.refresh_from_db()
    assert resource.title != "changed"


def test_admin_list_excludes_what_the_policy_hides(client, world, make_resource):
    hidden = make_resource("open_L1", code="SECRET-TIER")
    Resource.objects.filter(pk=hidden.pk).update(tier="secret")
    shown = make_resource("restricted_L4", code="SHOWN")
    client.force_login(world.users["platform_admin"])
    page = client.get(reverse("admin:catalog_resource_changelist")).content.decode()
    assert "SHOWN" in page and "SECRET-TIER" not in page
    url = reverse("admin:catalog_resource_change", args=[hidden.pk])
    assert client.get(url).status_code in (302, 404)
    assert shown.pk


def _change_form_data(client, url, resource, **overrides):
    """What the change form would post back, with ``overrides`` applied."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None and value is not False:
            data[name] = value
    data.update(
        {
            "fields-TOTAL_FORMS": "1",
            "fields-INITIAL_FORMS": "1",
            "fields-0-id": resource.fields.get().pk,
            "fields-0-resource": resource.pk,
            "distributions-TOTAL_FORMS": "1",
            "distributions-INITIAL_FORMS": "1",
            "distributions-0-id": resource.distributions.get().pk,
            "distributions-0-resource": resource.pk,
        }
    )
    data.update(overrides)
    return data


def test_admin_save_that_breaks_the_ceiling_is_refused_with_the_rule(client, world, make_resource):
    resource = make_resource("conditional_L2")
    client.force_login(world.users["platform_admin"])
    url = reverse("admin:catalog_resource_change", args=[resource.pk])
    response = client.post(
        url, _change_form_data(client, url, resource, tier="open"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Grade ceiling" in response.content.decode()
    resource.refresh_from_db()
    assert resource.tier == "conditional"


def test_admin_save_within_the_ceiling_goes_through(client, world, make_resource):
    resource = make_resource("conditional_L2")
    client.force_login(world.users["platform_admin"])
    url = reverse("admin:catalog_resource_change", args=[resource.pk])
    response = client.post(url, _change_form_data(client, url, resource, tier="restricted"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    resource.refresh_from_db()
    assert resource.tier == "restricted"
