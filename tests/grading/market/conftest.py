"""The market's cast: a provider enterprise with two staff, a second enterprise that requests,
a citizen, platform staff; an industry product and a public-interest one."""

from dataclasses import dataclass

import pytest

from catalog.models import Product
from grading.models import Membership
from tests import factories as f


@dataclass
class Market:
    provider_staff: object
    other_staff: object
    requester: object
    citizen: object
    admin: object
    auditor: object
    industry: Product
    public: Product
    draft: Product


@pytest.fixture
def market(world) -> Market:
    users = world.users
    other_staff = f.UserFactory(username="seller_two", email="seller2@example.cn")
    f.membership(other_staff, world.operator_org, Membership.Role.EDITOR)
    users["operator"].email = "seller@example.cn"
    users["operator"].save()
    users["grantee"].email = "buyer@example.cn"
    users["grantee"].save()
    industry = f.ProductFactory(
        provider=world.operator_org,
        name="城市人口热力指数",
        purpose=Product.Purpose.INDUSTRY,
        price_terms="按年订阅",
    )
    public = f.ProductFactory(provider=world.operator_org, name="公益空气质量服务")
    draft = f.ProductFactory(provider=world.operator_org, status=Product.Status.DRAFT)
    return Market(
        provider_staff=users["operator"],
        other_staff=other_staff,
        requester=users["grantee"],
        citizen=users["citizen"],
        admin=users["platform_admin"],
        auditor=users["auditor"],
        industry=industry,
        public=public,
        draft=draft,
    )


# These tests read the English texts.
from tests.english import client, english  # noqa: E402, F401
