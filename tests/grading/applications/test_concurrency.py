"""Concurrent decisions and downloads on PostgreSQL: one grant per application, exact quotas.

These need real concurrent connections, which the in-memory SQLite test database cannot give;
CI runs them in the PostgreSQL pass."""

import pytest
from django.test import Client
from django.urls import reverse

from grading.applications import services
from grading.models import Application, AuditEvent, Grant, Membership
from portal.transitions import InvalidTransition
from tests import factories as f
from tests.concurrency import POSTGRES_RACES, race

pytestmark = POSTGRES_RACES


@pytest.fixture
def checked(world):
    resource = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L1")
    f.DistributionFactory(resource=resource)
    reviewers = [f.UserFactory(username=f"reviewer{i}") for i in range(2)]
    for reviewer in reviewers:
        f.membership(reviewer, world.provider, Membership.Role.REVIEWER)
    applicant = world.users["citizen"]
    data = {
        "purpose": "研究",
        "scenario": "评估",
        "want_download": True,
        "term_days": 30,
        "undertaking_accepted": True,
    }
    application = services.application_create(
        actor=applicant, resources=[resource], data=data, submit=True
    )
    services.application_act(
        actor=world.users["platform_admin"], application=application, action="check"
    )
    return application, reviewers, applicant, resource


def _try(actor, application, action):
    try:
        services.application_act(
            actor=actor, application=Application.objects.get(pk=application.pk), action=action
        )
        return "ok"
    except InvalidTransition:
        return "conflict"


def test_two_reviewers_approving_at_once_one_wins(checked):
    application, reviewers, applicant, _resource = checked
    results = race(2, lambda i: _try(reviewers[i], application, "approve"))
    assert sorted(results) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(action="application.approve").count() == 1


def test_accepting_twice_at_once_issues_one_grant(checked):
    application, reviewers, applicant, _resource = checked
    services.application_act(actor=reviewers[0], application=application, action="approve")
    results = race(4, lambda i: _try(applicant, application, "accept"))
    assert sorted(results) == ["conflict"] * 3 + ["ok"]
    assert Grant.objects.filter(grantee=applicant).count() == 1
    assert AuditEvent.objects.filter(action="grant.issue").count() == 1


def test_quota_holds_under_concurrent_downloads(checked, settings):
    settings.GRANT_DEFAULT_QUOTA = 3
    application, reviewers, applicant, resource = checked
    services.application_act(actor=reviewers[0], application=application, action="approve")
    services.application_act(actor=applicant, application=application, action="accept")
    url = reverse(
        "catalog:distribution-download", args=[resource.pk, resource.distributions.get().pk]
    )

    def download(_i):
        client = Client()
        client.force_login(applicant)
        return client.get(url).status_code

    statuses = race(8, download)
    assert sorted(statuses) == [200] * 3 + [403] * 5
    assert Grant.objects.get(grantee=applicant).used == 3
    assert AuditEvent.objects.filter(action="resource.download").count() == 3
    from grading import audit

    assert audit.verify()[1] is None
