"""Concurrent decisions on PostgreSQL: of two reviewers deciding the same part, of two agencies
deciding the last parts at once, and of two administrators issuing at once, one wins.

These need real concurrent connections, which the in-memory SQLite test database cannot give;
CI runs them in the PostgreSQL pass."""

from grading import audit
from grading.models import (
    Agreement,
    AuditEvent,
    Membership,
    OperationApplication,
    OperationScopePart,
)
from grading.operation import agreements, services
from portal.transitions import InvalidTransition
from tests import factories as f
from tests.concurrency import POSTGRES_RACES, race
from tests.grading.operation.conftest import part_of

pytestmark = POSTGRES_RACES


def _outcome(call):
    try:
        call()
        return "ok"
    except InvalidTransition:
        return "conflict"


def test_two_reviewers_approving_the_same_part_one_wins(scene, checked, world):
    second = f.UserFactory(username="second_reviewer")
    f.membership(second, world.provider, Membership.Role.REVIEWER)
    reviewers = [scene.reviewer, second]
    part_pk = part_of(checked, world.provider).pk

    def approve(i):
        part = OperationScopePart.objects.get(pk=part_pk)
        action = "approve" if i == 0 else "reject"
        return _outcome(
            lambda: services.operation_part_act(
                actor=reviewers[i], part=part, action=action, reason="理由"
            )
        )

    assert sorted(race(2, approve)) == ["conflict", "ok"]
    decided = AuditEvent.objects.filter(action__startswith="operation.part.")
    assert decided.count() == 1


def test_both_agencies_deciding_the_last_parts_at_once_close_the_application_once(
    scene, checked, world
):
    pairs = [
        (scene.reviewer, part_of(checked, world.provider).pk),
        (scene.other_reviewer, part_of(checked, world.other_agency).pk),
    ]

    def approve(i):
        reviewer, pk = pairs[i]
        part = OperationScopePart.objects.get(pk=pk)
        return _outcome(
            lambda: services.operation_part_act(actor=reviewer, part=part, action="approve")
        )

    assert race(2, approve) == ["ok", "ok"]
    assert OperationApplication.objects.get().status == "decided"
    assert AuditEvent.objects.filter(action="operation.decide").count() == 1


def test_two_admins_issuing_at_once_make_one_agreement(scene, decided):
    admins = [scene.admin, f.UserFactory(username="second_admin", is_superuser=True)]

    def issue(i):
        application = OperationApplication.objects.get(pk=decided.pk)
        return _outcome(
            lambda: agreements.agreement_issue(actor=admins[i], application=application)
        )

    assert sorted(race(2, issue)) == ["conflict", "ok"]
    assert Agreement.objects.count() == 1
    assert AuditEvent.objects.filter(action="agreement.issue").count() == 1
    assert audit.verify()[1] is None


def test_suspending_twice_at_once_one_wins(scene, active):
    def suspend(_i):
        agreement = Agreement.objects.get(pk=active.pk)
        return _outcome(
            lambda: agreements.agreement_act(
                actor=scene.admin, agreement=agreement, action="suspend", reason="调查"
            )
        )

    assert sorted(race(2, suspend)) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(action="agreement.suspend").count() == 1
