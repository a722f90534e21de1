"""The operator's workspace /operation/ and an agreement's usage page: what the operator and
the regulator see, and 404 for everyone else."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from grading.models import Agreement
from grading.operator.usage import month_of
from tests import factories as f

pytestmark = pytest.mark.django_db

HOME = "/operation/"


@pytest.fixture
def held(world):
    """An active agreement of the operator over two restricted entries, with usage in two
    months and a listed product citing one of the entries."""
    first = f.ResourceFactory(
        provider=world.provider, tier="restricted", grade="L2", title="港口吞吐量"
    )
    second = f.ResourceFactory(
        provider=world.provider, tier="restricted", grade="L2", title="航运指数"
    )
    agreement = f.agreement(world.operator_org, [first, second], days=40)
    this_month = month_of()
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    f.usage(agreement, first, month=this_month, queries=3, rows=30)
    f.usage(agreement, second, month=this_month, queries=1, rows=5)
    f.usage(agreement, first, month=last_month, queries=10, rows=100)
    product = f.ProductFactory(
        provider=world.operator_org, name="港航指数服务", status=Product.Status.COMPLIANCE_REVIEW
    )
    product.source_resources.set([first])
    return agreement


def test_home_url_name():
    assert reverse("grading:operation-home") == HOME


def test_home__anonymous_is_sent_to_log_in(as_user):
    response = as_user("anonymous").get(HOME)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("kind", ["citizen", "grantee", "platform_admin"])
def test_home__without_an_agreement_explains_how_to_apply(as_user, kind):
    response = as_user(kind).get(HOME)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Your organization holds no authorized-operation agreement" in text
    assert "To apply" in text
    assert reverse("catalog:resource-list") in text


def test_home__operator_sees_agreement_figures_products_and_states(as_user, held):
    response = as_user("operator").get(HOME, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert reverse("grading:agreement-usage", args=[held.pk]) in text
    agreement = response.context["agreements"][0]
    assert (agreement.scope_size, agreement.queries_month, agreement.rows_month) == (2, 4, 35)
    assert (agreement.queries_total, agreement.rows_total) == (14, 135)
    assert agreement.days_left in (39, 40)
    assert "Renew before expiry" in text
    assert "港航指数服务" in text
    assert "Under compliance review" in text
    product_page = reverse("catalog:product-detail", args=[Product.objects.get().pk])
    assert product_page in text
    assert as_user("operator").get(product_page).status_code == 200  # a draft, not a dead link


def test_home__other_operators_agreements_are_not_listed(client, world, held):
    user = f.UserFactory()
    f.membership(user, f.OrganizationFactory(kind="enterprise"))
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    assert reverse("grading:agreement-usage", args=[held.pk]) not in response.content.decode()
    assert "holds no authorized-operation agreement" in response.content.decode()


def test_home__queries_do_not_grow_with_the_number_of_agreements(as_user, world, held):
    client = as_user("operator")
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for _i in range(5):
        resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
        extra = f.agreement(world.operator_org, [resource])
        f.usage(extra, resource, month=month_of())
        f.ProductFactory(provider=world.operator_org).source_resources.set([resource])
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    assert len(many) == len(few)


# The usage page


def usage_url(agreement):
    return reverse("grading:agreement-usage", args=[agreement.pk])


def test_usage_url():
    assert usage_url(Agreement(pk=7)) == "/operation/agreements/7/usage/"


@pytest.mark.parametrize("kind", ["operator", "platform_admin", "auditor"])
def test_usage__operator_and_regulator_see_usage_by_entry_and_month(as_user, held, kind):
    response = as_user(kind).get(usage_url(held))
    assert response.status_code == 200
    text = response.content.decode()
    by_entry = {
        row["resource"].title: (row["queries"], row["rows"]) for row in response.context["by_entry"]
    }
    assert by_entry == {"港口吞吐量": (13, 130), "航运指数": (1, 5)}
    months = [(row["queries"], row["rows"]) for row in response.context["by_month"]]
    assert months == [(4, 35), (10, 100)]
    assert "港航指数服务" in text
    assert (
        reverse("catalog:resource-detail", args=[held.resources.get(title="港口吞吐量").pk]) in text
    )


@pytest.mark.parametrize("kind", ["citizen", "grantee", "agency_staff", "other_agency_staff"])
def test_usage__others_get_404(as_user, held, kind):
    assert as_user(kind).get(usage_url(held)).status_code == 404


def test_usage__anonymous_is_sent_to_log_in(as_user, held):
    assert as_user("anonymous").get(usage_url(held)).status_code == 302


def test_usage__unknown_agreement_is_404(as_user):
    assert as_user("platform_admin").get("/operation/agreements/999999/usage/").status_code == 404


def test_usage__entries_the_operator_no_longer_sees_show_by_number_only(as_user, held):
    Agreement.objects.filter(pk=held.pk).update(status=Agreement.Status.EXPIRED)
    response = as_user("operator").get(usage_url(held))
    text = response.content.decode()
    assert response.status_code == 200
    assert "港口吞吐量" not in text
    assert "no longer visible to you" in text


def test_usage__audit_link_only_for_those_who_read_the_audit_log(as_user, held):
    audit = f"/audit/?object_type=grading.agreement&amp;object_id={held.pk}"
    assert audit in as_user("auditor").get(usage_url(held)).content.decode()
    assert audit not in as_user("operator").get(usage_url(held)).content.decode()


def test_usage__queries_do_not_grow_with_entries_months_and_products(as_user, world, held):
    client = as_user("operator")
    client.get(usage_url(held))
    with CaptureQueriesContext(connection) as few:
        client.get(usage_url(held))
    for months_back in range(2, 8):
        resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
        held.resources.add(resource)
        month = (month_of() - dt.timedelta(days=31 * months_back)).replace(day=1)
        f.usage(held, resource, month=month)
        f.ProductFactory(provider=world.operator_org).source_resources.set([resource])
    with CaptureQueriesContext(connection) as many:
        response = client.get(usage_url(held))
    assert len(response.context["by_entry"]) == 8
    assert len(many) == len(few)


def test_home__links_each_agreement_to_its_page_usage_and_renewal(as_user, held):
    text = as_user("operator").get(HOME).content.decode()
    assert f'href="/operation/agreements/{held.pk}/"' in text
    assert f'href="/operation/agreements/{held.pk}/usage/"' in text
    assert f'href="/operation/agreements/{held.pk}/renew/"' in text  # 40 days left
    assert 'href="/operation/apply/"' in text


def test_home__without_an_agreement_links_to_the_application_form(as_user):
    assert 'href="/operation/apply/"' in as_user("citizen").get(HOME).content.decode()


def test_agreement_page_and_usage_page_link_to_each_other(as_user, held):
    client = as_user("operator")
    detail = client.get(f"/operation/agreements/{held.pk}/").content.decode()
    usage = client.get(f"/operation/agreements/{held.pk}/usage/").content.decode()
    assert f'href="/operation/agreements/{held.pk}/usage/"' in detail
    assert f'href="/operation/agreements/{held.pk}/"' in usage
