"""The showcase through its services: submission rules, review steps, audit, notices and the
anonymous page cache."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grading.models import AuditEvent, Notice, Showcase
from grading.showcase import services
from portal.models import CatalogVersion
from portal.transitions import InvalidTransition
from tests import factories as f

pytestmark = pytest.mark.django_db

DATA = {"title": "通勤地图", "description": "公开交通数据", "url": "https://example.cn/map"}


def _version() -> int:
    return CatalogVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 1


def test_submit__audited_and_waiting_for_review(market, make_resource):
    source = make_resource("open_L1")
    showcase = services.showcase_submit(actor=market.citizen, data=DATA, sources=[source])
    assert showcase.status == "submitted" and list(showcase.sources.all()) == [source]
    event = AuditEvent.objects.get(action="showcase.submit")
    assert event.object_id == str(showcase.pk)


def test_submit__anonymous_is_refused(market, make_resource, world):
    with pytest.raises(PermissionDenied):
        services.showcase_submit(
            actor=world.users["anonymous"], data=DATA, sources=[make_resource("open_L1")]
        )
    assert Showcase.objects.count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"description": ""}, "description"),
        ({"url": "http://"}, "url"),
        ({"url": "https://example.cn/a b"}, "url"),
        ({"title": "x" * 201}, "title"),
        ({"title_en": "bad\x07"}, "title_en"),
    ],
)
def test_submit__bad_input_writes_nothing(market, make_resource, change, field):
    with pytest.raises(ValidationError) as info:
        services.showcase_submit(
            actor=market.citizen, data={**DATA, **change}, sources=[make_resource("open_L1")]
        )
    assert field in info.value.message_dict
    assert Showcase.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_submit__no_sources_or_closed_ones_are_refused(market, make_resource):
    with pytest.raises(ValidationError):
        services.showcase_submit(actor=market.citizen, data=DATA, sources=[])
    with pytest.raises(ValidationError) as info:
        services.showcase_submit(
            actor=market.citizen, data=DATA, sources=[make_resource("conditional_L1")]
        )
    assert "sources" in info.value.message_dict
    assert Showcase.objects.count() == 0


def test_review__list_notifies_and_drops_the_page_cache(
    market, make_resource, django_capture_on_commit_callbacks
):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")])
    before = _version()
    with django_capture_on_commit_callbacks(execute=True):
        services.showcase_review(actor=market.admin, showcase=showcase, action="list")
    assert showcase.status == "listed" and showcase.listed_at is not None
    assert _version() > before
    assert Notice.objects.get().user == market.citizen
    assert AuditEvent.objects.filter(action="showcase.list").count() == 1


def test_review__reject_and_withdraw_need_a_reason(market, make_resource):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")])
    with pytest.raises(ValidationError):
        services.showcase_review(actor=market.admin, showcase=showcase, action="reject")
    services.showcase_review(actor=market.admin, showcase=showcase, action="list")
    with pytest.raises(ValidationError):
        services.showcase_review(actor=market.admin, showcase=showcase, action="withdraw")
    services.showcase_review(
        actor=market.admin, showcase=showcase, action="withdraw", reason="链接失效"
    )
    assert showcase.status == "withdrawn" and showcase.reason == "链接失效"


@pytest.mark.parametrize("who", ["citizen", "auditor", "provider_staff"])
def test_review__only_platform_administrators(market, make_resource, who):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")])
    with pytest.raises(PermissionDenied):
        services.showcase_review(actor=getattr(market, who), showcase=showcase, action="list")
    assert Showcase.objects.get().status == "submitted"


def test_review__wrong_state_names_it(market, make_resource):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")], status="withdrawn")
    with pytest.raises(InvalidTransition) as info:
        services.showcase_review(actor=market.admin, showcase=showcase, action="list")
    assert info.value.current == "withdrawn"
    assert AuditEvent.objects.count() == 0
