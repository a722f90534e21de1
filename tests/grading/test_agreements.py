"""Authorized-operation agreements: created by platform administrators (five years at most),
audited; operators query in-scope data only while the agreement is active."""

import datetime as dt

import pytest
from django.utils import timezone

from grading import policy
from grading.models import Agreement, AuditEvent

pytestmark = pytest.mark.django_db

ADD = "/admin/grading/agreement/add/"


def _form(world, resource, years=5, days=0):
    start = timezone.localtime().replace(microsecond=0)
    end = start.replace(year=start.year + years) + dt.timedelta(days=days)
    return {
        "operator": world.operator_org.pk,
        "resources": [resource.pk],
        "purposes": "城市交通运行分析",
        "fee_cap": "200000.00",
        "valid_from_0": start.strftime("%Y-%m-%d"),
        "valid_from_1": start.strftime("%H:%M:%S"),
        "valid_until_0": end.strftime("%Y-%m-%d"),
        "valid_until_1": end.strftime("%H:%M:%S"),
        "status": "active",
    }


@pytest.fixture
def staff(world):
    admin = world.users["platform_admin"]
    admin.is_staff = True
    admin.save()
    return admin


def test_platform_admin_creates_an_agreement_through_the_admin(client, world, staff):
    from tests import factories as f

    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    assert not policy.can_query(world.users["operator"], resource)
    client.force_login(staff)
    response = client.post(ADD, _form(world, resource))
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert list(agreement.resources.all()) == [resource]
    assert AuditEvent.objects.filter(action="agreement.create").count() == 1
    assert policy.can_query(world.users["operator"], resource)


def test_an_agreement_longer_than_five_years_is_refused(client, world, staff):
    from tests import factories as f

    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    client.force_login(staff)
    response = client.post(ADD, _form(world, resource, years=5, days=1))
    page = response.content.decode()
    assert response.status_code == 200 and "errorlist" in page
    assert "五年" in page or "five years" in page
    assert not Agreement.objects.exists() and not AuditEvent.objects.exists()


def test_auditors_cannot_create_agreements(client, world):
    auditor = world.users["auditor"]
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)
    assert client.get(ADD).status_code == 403
