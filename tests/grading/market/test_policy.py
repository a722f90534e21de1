"""The market's rules in the rule-book: who requests, who sees and answers a request, who
submits and reviews showcases, which entries a showcase may cite; each list rule agrees with
its predicate."""

import pytest

from grading import policy
from grading.models import ProductRequest, Showcase
from tests import factories as f
from tests.conftest import USER_KINDS

pytestmark = pytest.mark.django_db

# Who may request a listed product of the operator enterprise.
MAY_REQUEST = {
    "anonymous": False,
    "citizen": True,
    "grantee": True,
    "expired_grantee": True,
    "agency_staff": True,
    "other_agency_staff": True,
    "operator": False,  # staff of the provider
    "platform_admin": True,
    "auditor": True,
}

# Who sees a request made by ``grantee`` to the operator enterprise.
SEES_REQUEST = {
    "anonymous": False,
    "citizen": False,
    "grantee": True,  # the requester
    "expired_grantee": False,  # same enterprise, but not the requester
    "agency_staff": False,
    "other_agency_staff": False,
    "operator": True,  # the provider's staff
    "platform_admin": True,
    "auditor": True,
}


@pytest.mark.parametrize("kind", USER_KINDS)
def test_can_request_product__by_kind_of_user(world, market, kind):
    user = world.users[kind]
    assert policy.can_request_product(user, market.industry) is MAY_REQUEST[kind]
    assert policy.can_request_product(user, market.draft) is False


def test_request_denial_message_says_how_to_get_there(world, market):
    assert "Log in" in policy.request_denial_message(world.users["anonymous"], market.industry)
    assert "listed" in policy.request_denial_message(world.users["citizen"], market.draft)
    assert "provides" in policy.request_denial_message(world.users["operator"], market.industry)


@pytest.mark.parametrize("kind", USER_KINDS)
def test_request_visibility__list_and_predicate_agree(world, market, kind):
    item = f.product_request(market.requester, market.industry)
    user = world.users[kind]
    listed = ProductRequest.objects.filter(policy.product_request_visible_q(user)).exists()
    assert listed is SEES_REQUEST[kind]
    assert policy.can_view_product_request(user, item) is SEES_REQUEST[kind]


@pytest.mark.parametrize(
    "kind, allowed",
    [
        ("operator", {"quote", "accept", "refuse"}),
        ("grantee", {"accept_quote", "decline", "withdraw"}),
        ("expired_grantee", set()),
        ("platform_admin", set()),
        ("auditor", set()),
        ("citizen", set()),
        ("anonymous", set()),
    ],
)
def test_can_act_on_product_request__each_side_its_own_actions(world, market, kind, allowed):
    item = f.product_request(market.requester, market.industry)
    actions = {"quote", "accept", "refuse", "accept_quote", "decline", "withdraw", "delete"}
    found = {a for a in actions if policy.can_act_on_product_request(world.users[kind], item, a)}
    assert found == allowed


def test_receiving_requests_is_for_organization_staff(world):
    assert policy.can_receive_product_requests(world.users["operator"])
    assert not policy.can_receive_product_requests(world.users["citizen"])
    assert not policy.can_receive_product_requests(world.users["anonymous"])


@pytest.mark.parametrize("kind", USER_KINDS)
def test_showcase_visibility_and_review(world, market, make_resource, kind):
    source = make_resource("open_L1")
    listed = f.showcase(market.citizen, [source], status="listed", title="已上架")
    pending = f.showcase(market.citizen, [source], title="待审核")
    user = world.users[kind]
    seen = set(Showcase.objects.filter(policy.showcase_visible_q(user)))
    expected = {listed, pending} if kind in ("citizen", "platform_admin", "auditor") else {listed}
    assert seen == expected
    assert policy.can_view_showcase(user, pending) is (pending in expected)
    assert policy.can_submit_showcase(user) is (kind != "anonymous")
    assert policy.can_review_showcase(user) is (kind == "platform_admin")


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "agency_staff", "platform_admin"])
def test_showcase_sources_are_open_published_entries_only(world, make_resource, kind):
    resources = {variant: make_resource(variant) for variant in ("open_L1", "conditional_L1")}
    restricted = make_resource("restricted_L2")
    draft = f.ResourceFactory(provider=world.provider, tier="open", status="draft")
    user = world.users[kind]
    assert set(policy.showcase_sources(user)) == {resources["open_L1"]}
    assert policy.can_link_showcase_source(user, resources["open_L1"])
    for other in (resources["conditional_L1"], restricted, draft):
        assert not policy.can_link_showcase_source(user, other)
