"""The rule-book against the hand-written truth table, and its deny-by-default edges."""

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog.models import Resource
from grading import policy
from grading.grades import Grade, Tier
from grading.models import Grant
from tests import factories as f
from tests.access_truth import CASES, DOWNLOAD, QUERY, VIEW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_predicates_and_querysets_match_the_truth_table(world, make_resource, variant, kind):
    resource = make_resource(variant)
    user = world.users[kind]
    assert policy.can_view(user, resource) is (kind in VIEW[variant])
    assert policy.can_download(user, resource) is (kind in DOWNLOAD[variant])
    assert policy.can_query(user, resource) is (kind in QUERY[variant])
    # The list form of each rule agrees with the predicate.
    assert policy.viewable(user).filter(pk=resource.pk).exists() is (kind in VIEW[variant])
    assert policy.downloadable(user).filter(pk=resource.pk).exists() is (kind in DOWNLOAD[variant])
    annotated = policy.annotate_permissions(Resource.objects, user).get(pk=resource.pk)
    assert annotated.may_download is (kind in DOWNLOAD[variant])
    assert annotated.may_query is (kind in QUERY[variant])


# grade → tiers the ceiling allows, written out from DESIGN §2.
CEILING_TRUTH = {
    "L1": {"open", "conditional", "restricted"},
    "L2": {"conditional", "restricted"},
    "L3": {"conditional", "restricted"},
    "L4": {"restricted"},
}


@pytest.mark.parametrize("grade", Grade.values)
@pytest.mark.parametrize("tier", Tier.values)
def test_check_ceiling(grade, tier):
    if tier in CEILING_TRUTH[grade]:
        policy.check_ceiling(grade=grade, tier=tier)
    else:
        with pytest.raises(policy.CeilingViolation) as excinfo:
            policy.check_ceiling(grade=grade, tier=tier)
        assert excinfo.value.code == "grade_ceiling"
        assert grade in excinfo.value.messages[0]


def test_ceiling_refuses_unknown_grade_and_tier():
    with pytest.raises(policy.CeilingViolation):
        policy.check_ceiling(grade="L9", tier="restricted")
    with pytest.raises(policy.CeilingViolation):
        policy.check_ceiling(grade="L1", tier="semi-open")


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        ([], "L1"),
        (["L1"], "L1"),
        (["L1", "L3", "L2"], "L3"),
        (["L2", "L4"], "L4"),
        (["L1", "X"], "L4"),
    ],
)
def test_derive_grade_takes_the_strictest(grades, expected):
    assert policy.derive_grade(grades) == expected


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "agency_staff", "platform_admin"])
def test_unknown_tier_is_invisible_to_everyone(world, make_resource, kind):
    resource = make_resource("open_L1")
    Resource.objects.filter(pk=resource.pk).update(tier="secret")
    user = world.users[kind]
    assert not policy.can_view(user, resource)
    assert not policy.can_download(user, resource)


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "grantee"])
def test_row_breaking_the_ceiling_is_hidden_from_the_public(world, make_resource, kind):
    # An L4 row marked open (written around the services) must not leak.
    resource = make_resource("open_L1")
    Resource.objects.filter(pk=resource.pk).update(grade="L4")
    assert not policy.can_view(world.users[kind], resource)
    assert not policy.can_download(world.users[kind], resource)


@pytest.mark.parametrize("status", ["draft", "submitted", "withdrawn"])
def test_unpublished_entries_are_for_the_provider_and_platform_only(world, make_resource, status):
    resource = make_resource("open_L1")
    Resource.objects.filter(pk=resource.pk).update(status=status)
    assert not policy.can_view(world.users["anonymous"], resource)
    assert not policy.can_view(world.users["citizen"], resource)
    assert not policy.can_view(world.users["operator"], resource)
    assert not policy.can_download(world.users["anonymous"], resource)
    assert policy.can_view(world.users["agency_staff"], resource)
    assert policy.can_view(world.users["platform_admin"], resource)


def test_revoked_grant_gives_nothing(world, make_resource):
    resource = make_resource("conditional_L1")
    user = world.users["grantee"]
    Grant.objects.filter(grantee=user).update(status=Grant.Status.REVOKED)
    assert not policy.can_download(user, resource)
    assert not policy.can_query(user, resource)


def test_grant_without_download_action_allows_query_only(world, make_resource):
    resource = make_resource("conditional_L1")
    user = f.UserFactory()
    f.grant(user, [resource], download=False, query=True)
    assert not policy.can_download(user, resource)
    assert policy.can_query(user, resource)


def test_ended_agreement_hides_restricted_entries_from_the_operator(world, make_resource):
    resource = make_resource("restricted_L4")
    world.operator_org.agreements.update(status="revoked")
    operator = world.users["operator"]
    assert not policy.can_view(operator, resource)
    assert not policy.can_query(operator, resource)


def test_unknown_action_is_denied(world, make_resource):
    resource = make_resource("open_L1")
    assert policy.allowed(world.users["platform_admin"], "view", resource)
    assert not policy.allowed(world.users["platform_admin"], "destroy", resource)


def test_inactive_user_counts_as_anonymous(world, make_resource):
    resource = make_resource("restricted_L4")
    staff = world.users["agency_staff"]
    staff.is_active = False
    assert not policy.can_view(staff, resource)
    assert policy.principal(AnonymousUser()) == policy.ANONYMOUS


@pytest.mark.parametrize(
    ("kind", "editable", "publishable"),
    [
        ("anonymous", False, False),
        ("citizen", False, False),
        ("agency_staff", True, False),
        ("other_agency_staff", False, False),
        ("operator", False, False),
        ("platform_admin", True, False),
        ("auditor", False, False),
    ],
)
def test_edit_and_publish_rights(world, make_resource, kind, editable, publishable):
    resource = make_resource("open_L1")
    user = world.users[kind]
    assert policy.can_edit(user, resource) is editable
    assert policy.can_publish(user, resource) is publishable


def test_reviewer_of_the_provider_may_publish(world, make_resource):
    resource = make_resource("open_L1")
    reviewer = f.UserFactory()
    f.membership(reviewer, world.provider, "reviewer")
    assert policy.can_publish(reviewer, resource)
    assert not policy.can_edit(reviewer, resource)


def test_apply_is_for_signed_in_users_without_access(world, make_resource):
    resource = make_resource("conditional_L2")
    assert not policy.can_apply(world.users["anonymous"], resource)
    assert policy.can_apply(world.users["citizen"], resource)
    assert not policy.can_apply(world.users["grantee"], resource)
    assert not policy.can_apply(world.users["citizen"], make_resource("open_L1", code="OPEN-X"))


def test_products_listed_are_public_and_drafts_are_not(world):
    listed = f.ProductFactory(provider=world.operator_org)
    draft = f.ProductFactory(provider=world.operator_org, status="draft", listed_at=None)
    assert policy.can_view_product(world.users["anonymous"], listed)
    assert not policy.can_view_product(world.users["anonymous"], draft)
    assert not policy.can_view_product(world.users["citizen"], draft)
    assert policy.can_view_product(world.users["operator"], draft)
    assert policy.can_view_product(world.users["auditor"], draft)


def test_public_download_flag_is_what_anonymous_may_download(world, make_resource):
    from tests.conftest import VARIANTS

    resources = {variant: make_resource(variant) for variant in VARIANTS}
    flags = dict(
        policy.annotate_public_download(Resource.objects.all()).values_list("pk", "public_download")
    )
    for variant, resource in resources.items():
        assert flags[resource.pk] is ("anonymous" in DOWNLOAD[variant]), variant


# Field grades shown in rows, written out from DESIGN §2 (kind of caller → grades), for
# callers who may query at all: the providing agency sees everything, grant holders and
# in-scope operators up to L3 (L4 never leaves the agency), the public (open data) up to L2.
ROW_GRADES_TRUTH = {
    "agency_staff": {"L1", "L2", "L3", "L4"},
    "grantee": {"L1", "L2", "L3"},
    "operator": {"L1", "L2", "L3"},
}


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_visible_field_grades_match_the_truth_table(world, make_resource, variant, kind):
    resource = make_resource(variant)
    user = world.users[kind]
    grades = policy.visible_field_grades(user, resource)
    exported = policy.visible_field_grades(user, resource, export=True)
    if kind not in QUERY[variant]:
        assert grades == exported == frozenset()
        return
    # Everyone else who may query (open data) sees up to L2.
    expected = ROW_GRADES_TRUTH.get(kind, {"L1", "L2"})
    assert set(grades) == expected
    assert set(exported) == expected & {"L1", "L2"}  # never above L2 in a bulk export
    field = resource.fields.get()
    assert policy.can_see_field(user, resource, field) is (field.grade in expected)


def test_visible_field_grades_of_an_expired_grant_are_none(world, make_resource):
    resource = make_resource("conditional_L3")
    assert policy.visible_field_grades(world.users["expired_grantee"], resource) == frozenset()


def test_unknown_field_grade_is_never_visible(world, make_resource):
    resource = make_resource("restricted_L4")
    field = resource.fields.get()
    field.grade = "L9"
    assert not policy.can_see_field(world.users["agency_staff"], resource, field)
