"""The market pages: the request box on a product page, the request form, the workspace of
requests, one request with its actions, the showcase pages and the showcases on a resource
page; fixed query counts for the lists."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grading.models import ProductRequest, Showcase
from grading.requests import services
from tests import factories as f

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def _product_page(client, product):
    return client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()


def _new_url(product):
    return reverse("grading:request-new", args=[product.pk])


# The product page


def test_product_page__a_requester_gets_the_request_button(client, market):
    client.force_login(market.requester)
    page = _product_page(client, market.industry)
    assert f'class="button request-product" href="{_new_url(market.industry)}"' in page


def test_product_page__anonymous_visitors_are_told_to_log_in(client, market):
    page = _product_page(client, market.industry)
    assert "request-product" not in page
    assert f"/accounts/login/?next={_new_url(market.industry)}" in page


def test_product_page__the_providers_staff_get_no_button(client, market):
    client.force_login(market.provider_staff)
    page = _product_page(client, market.industry)
    assert "request-product" not in page
    assert "Your organization provides this product" in page


# The request form


def test_request_form__sends_the_request_and_shows_it(client, market, world):
    client.force_login(market.requester)
    response = client.get(_new_url(market.industry))
    assert response.status_code == 200 and 'name="organization"' in response.content.decode()
    data = {**f.request_data(), "organization": world.enterprise.pk}
    response = client.post(_new_url(market.industry), data)
    item = ProductRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grading:request-detail", args=[item.pk])
    assert item.requester_organization == world.enterprise and item.quantity == 1


def test_request_form__anonymous_is_sent_to_log_in(client, market):
    response = client.get(_new_url(market.industry))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_request_form__the_providers_staff_get_403_saying_why(client, market):
    client.force_login(market.provider_staff)
    response = client.get(_new_url(market.industry))
    assert response.status_code == 403
    assert "Your organization provides this product" in response.content.decode()


def test_request_form__an_invisible_product_is_404(client, market):
    client.force_login(market.requester)
    assert client.get(_new_url(market.draft)).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"purpose": ""}, "purpose"),
        ({"contact_phone": "", "contact_email": ""}, "contact_phone"),
        ({"contact_phone": "abc"}, "contact_phone"),
        ({"contact_email": "abc"}, "contact_email"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "x"}, "quantity"),
    ],
)
def test_request_form__bad_input_is_shown_and_nothing_written(client, market, change, field):
    client.force_login(market.requester)
    response = client.post(_new_url(market.industry), {**f.request_data(), **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert ProductRequest.objects.count() == 0


def test_request_form__double_submission_is_409(client, market):
    client.force_login(market.requester)
    client.post(_new_url(market.industry), f.request_data())
    response = client.post(_new_url(market.industry), f.request_data())
    assert response.status_code == 409
    assert "You already sent this request" in response.content.decode()
    assert ProductRequest.objects.count() == 1


# The workspace of requests


def test_request_list__tabs_states_due_dates_and_overdue(client, market):
    item = f.product_request(market.requester, market.industry)
    ProductRequest.objects.filter(pk=item.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(market.requester)
    page = client.get(reverse("grading:request-list")).content.decode()
    assert f'href="/requests/{item.pk}/"' in page and "Requests to us" in page
    client.force_login(market.provider_staff)
    mine = client.get(reverse("grading:request-list")).content.decode()
    assert f'href="/requests/{item.pk}/"' not in mine
    incoming = client.get(reverse("grading:request-list") + "?tab=incoming").content.decode()
    assert f'href="/requests/{item.pk}/"' in incoming
    assert 'class="chip overdue"' in incoming and 'data-status="submitted"' in incoming


def test_request_list__citizens_have_no_incoming_tab(client, market):
    f.product_request(market.citizen, market.industry)
    client.force_login(market.citizen)
    page = client.get(reverse("grading:request-list") + "?tab=incoming").content.decode()
    assert 'href="?tab=incoming"' not in page and "request-row" in page


def test_request_list__needs_sign_in(client):
    assert client.get(reverse("grading:request-list")).status_code == 302


def _make_requests(market, n):
    for i in range(n):
        buyer = f.UserFactory(username=f"buyer{n}-{i}")
        f.product_request(buyer, market.industry)


@pytest.mark.parametrize("tab", ["mine", "incoming"])
def test_request_list__query_count_does_not_grow_with_the_page(client, market, tab):
    url = reverse("grading:request-list") + f"?tab={tab}"
    user = market.provider_staff if tab == "incoming" else market.requester
    client.force_login(user)
    counts = []
    for n in (2, 12):
        _make_requests(market, n) if tab == "incoming" else None
        if tab == "mine":
            for product in [f.ProductFactory(provider=market.industry.provider) for _ in range(n)]:
                f.product_request(market.requester, product)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# One request


def _detail(client, user, item):
    client.force_login(user)
    return client.get(reverse("grading:request-detail", args=[item.pk]))


def _act(client, user, item, **data):
    client.force_login(user)
    return client.post(reverse("grading:request-detail", args=[item.pk]), data)


def test_request_detail__each_side_sees_only_its_actions(client, market):
    item = f.product_request(market.requester, market.industry)
    provider_page = _detail(client, market.provider_staff, item).content.decode()
    assert 'class="form quote-form"' in provider_page and 'value="refuse"' in provider_page
    assert 'value="withdraw"' not in provider_page
    requester_page = _detail(client, market.requester, item).content.decode()
    assert 'value="withdraw"' in requester_page and "quote-form" not in requester_page
    assert "Request sent" in requester_page  # the readable timeline
    admin_page = _detail(client, market.admin, item).content.decode()
    assert "<button" not in admin_page.split('id="main"')[1].split("Timeline")[0]


def test_request_detail__quote_then_accept_in_the_pages(client, market):
    item = f.product_request(market.requester, market.industry)
    quote = {"action": "quote", "amount": "500", "terms": "按年", "valid_until": TOMORROW}
    assert _act(client, market.provider_staff, item, **quote).status_code == 302
    page = _detail(client, market.requester, item).content.decode()
    assert "CNY 500.00" in page and 'value="accept_quote"' in page
    assert _act(client, market.requester, item, action="accept_quote").status_code == 302
    item.refresh_from_db()
    assert item.status == "accepted_by_requester"


def test_request_detail__a_priced_quote_on_a_public_product_is_refused(client, market):
    item = f.product_request(market.requester, market.public)
    quote = {"action": "quote", "amount": "9", "valid_until": TOMORROW}
    response = _act(client, market.provider_staff, item, **quote)
    assert response.status_code == 400
    assert "Public-interest products are free" in response.content.decode()
    assert ProductRequest.objects.get().status == "submitted"


def test_request_detail__an_empty_quote_shows_the_form_errors(client, market):
    item = f.product_request(market.requester, market.industry)
    response = _act(client, market.provider_staff, item, action="quote")
    assert response.status_code == 400
    assert set(response.context["quote_form"].errors) == {"amount", "valid_until"}


def test_request_detail__wrong_state_wrong_role_and_invisible(client, market, world):
    item = f.product_request(market.requester, market.industry)
    response = _act(client, market.requester, item, action="accept_quote")
    label = str(ProductRequest.Status.SUBMITTED.label)
    assert response.status_code == 409 and label in response.content.decode()
    assert _act(client, market.requester, item, action="refuse", reason="x").status_code == 403
    assert _act(client, market.provider_staff, item, action="refuse").status_code == 400
    assert _detail(client, world.users["citizen"], item).status_code == 404
    assert _act(client, market.requester, item).status_code == 400
    assert ProductRequest.objects.get().status == "submitted"


# The showcase


def test_showcase_pages__submit_review_and_show_on_the_resource(client, market, make_resource):
    source = make_resource("open_L1")
    client.force_login(market.citizen)
    form = client.get(reverse("grading:showcase-new") + f"?resource={source.pk}")
    assert form.context["form"]["sources"].value() == [source.pk]
    assert re.search(rf'value="{source.pk}"[^>]*checked', form.content.decode())
    data = {
        "title": "通勤地图",
        "description": "公开交通数据",
        "url": "https://example.cn/map",
        "sources": [source.pk],
    }
    response = client.post(reverse("grading:showcase-new"), data)
    showcase = Showcase.objects.get()
    assert response.status_code == 302 and showcase.status == "submitted"
    client.logout()
    assert client.get(reverse("grading:showcase-detail", args=[showcase.pk])).status_code == 404
    client.force_login(market.admin)
    queue = client.get(reverse("grading:showcase-queue")).content.decode()
    assert f'href="/showcase/{showcase.pk}/"' in queue
    url = reverse("grading:showcase-detail", args=[showcase.pk])
    assert client.post(url, {"action": "list"}).status_code == 302
    client.logout()
    assert "通勤地图" in client.get(reverse("grading:showcase-list")).content.decode()
    page = client.get(reverse("catalog:resource-detail", args=[source.pk])).content.decode()
    assert f'href="/showcase/{showcase.pk}/"' in page


def test_showcase_form__bad_input_and_closed_sources_write_nothing(client, market, make_resource):
    conditional = make_resource("conditional_L1")
    client.force_login(market.citizen)
    data = {
        "title": "应用",
        "description": "说明",
        "url": "ftp://example.cn",
        "sources": [conditional.pk],
    }
    response = client.post(reverse("grading:showcase-new"), data)
    assert response.status_code == 400
    assert Showcase.objects.count() == 0


def test_showcase_queue__is_for_platform_administrators(client, market):
    client.force_login(market.citizen)
    assert client.get(reverse("grading:showcase-queue")).status_code == 404
    client.force_login(market.admin)
    assert client.get(reverse("grading:showcase-queue")).status_code == 200


def test_showcase_review__non_admin_post_is_403(client, market, make_resource):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")])
    client.force_login(market.citizen)
    url = reverse("grading:showcase-detail", args=[showcase.pk])
    assert client.post(url, {"action": "list"}).status_code == 403
    assert Showcase.objects.get().status == "submitted"


def test_showcase_list__query_count_does_not_grow_with_the_page(client, market, make_resource):
    source = make_resource("open_L1")
    counts = []
    for n in (2, 15):
        for i in range(n):
            f.showcase(market.citizen, [source], status="listed", title=f"应用{n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("grading:showcase-list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_navigation_links(client, market):
    page = client.get("/").content.decode()
    assert 'href="/showcase/"' in page and 'href="/requests/"' not in page
    client.force_login(market.requester)
    assert 'href="/requests/"' in client.get("/").content.decode()


def test_due_dates_use_the_setting(market, settings):
    settings.PRODUCT_REQUEST_DAYS = 1
    item = f.product_request(market.requester, market.industry)
    assert item.due_on > timezone.localdate()
    assert services.is_overdue(item) is False


def test_request_list__platform_staff_follow_late_answers(client, market):
    late = f.product_request(market.requester, market.industry)
    on_time = f.product_request(market.citizen, market.industry)
    ProductRequest.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    url = reverse("grading:request-list") + "?tab=overdue"
    client.force_login(market.auditor)
    page = client.get(url).content.decode()
    assert f'href="/requests/{late.pk}/"' in page
    assert f'href="/requests/{on_time.pk}/"' not in page
    client.force_login(market.provider_staff)
    page = client.get(url).content.decode()  # not theirs to supervise: their own tab instead
    assert 'href="?tab=overdue"' not in page and f'href="/requests/{late.pk}/"' not in page
