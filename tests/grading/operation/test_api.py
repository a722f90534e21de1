"""The authorized-operation API: create, steps, part decisions, agreements; 400 / 403 / 404 /
409 as the policy and the state say; and what each agreement state does to the row API."""

import pytest
from rest_framework.test import APIClient

from grading.models import Agreement, AuditEvent, OperationApplication
from tests import factories as f
from tests.grading.operation.conftest import part_of

pytestmark = pytest.mark.django_db

API = "/api/v1/operation-applications/"
AGREEMENTS = "/api/v1/agreements/"


@pytest.fixture
def api():
    def as_(user=None):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_


def payload(scene, **extra):
    return {
        **f.operation_data(),
        "resources": [scene.conditional.pk, scene.other.pk],
        "submit": True,
        **extra,
    }


def test_create__submitted_with_one_part_per_agency(api, scene, world):
    response = api(scene.applicant).post(API, payload(scene), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["applicant"] == scene.org.code
    assert sorted(part["agency"] for part in body["parts"]) == ["other-agency", "provider"]


def test_create__themes_and_agencies_by_id(api, scene, world):
    data = payload(scene, resources=[], agencies=[world.provider.pk])
    body = api(scene.applicant).post(API, data, format="json").json()
    assert [p["agency"] for p in body["parts"]] == ["provider"]
    titles = {entry["title"] for entry in body["parts"][0]["resources"]}
    assert titles == {scene.conditional.title, scene.restricted.title}


def test_create__restricted_entries_come_back_by_id_and_title_only(api, scene):
    data = payload(scene, resources=[scene.restricted.pk])
    body = api(scene.applicant).post(API, data, format="json").json()
    assert body["parts"][0]["resources"] == [
        {"id": scene.restricted.pk, "title": scene.restricted.title}
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"purposes": ""},
        {"scenarios": None},
        {"security_measures": 5 * "x" * 1000},
        {"term_months": 61},
        {"term_months": "two"},
        {"proposed_fee_cap": "-1"},
        {"resources": "all"},
        {"resources": [999999]},
        {"themes": [999999]},
        {"undertaking_accepted": False},
        {"resources": [], "themes": [], "agencies": []},
    ],
)
def test_create__bad_input_is_400_and_writes_nothing(api, scene, change):
    response = api(scene.applicant).post(API, payload(scene, **change), format="json")
    assert response.status_code == 400, response.json()
    assert "detail" in response.json()
    assert not OperationApplication.objects.exists()


def test_create__an_entry_outside_any_scope_is_400(api, scene):
    for entry in (scene.open, scene.draft):
        data = payload(scene, resources=[entry.pk])
        assert api(scene.applicant).post(API, data, format="json").status_code == 400
    assert not OperationApplication.objects.exists()


@pytest.mark.parametrize("kind", ["citizen", "agency_staff", "platform_admin"])
def test_create__403_for_those_who_may_not_apply(api, scene, world, kind):
    response = api(world.users[kind]).post(API, payload(scene), format="json")
    assert response.status_code == 403
    assert not OperationApplication.objects.exists()


def test_create__anonymous_is_refused(api, scene):
    assert api().post(API, payload(scene), format="json").status_code in (401, 403)
    assert api().get(API).status_code in (401, 403)


def test_list__what_each_caller_sees(api, scene, submitted, world):
    def ids(user):
        return [row["id"] for row in api(user).get(API).json()["results"]]

    assert ids(scene.applicant) == [submitted.pk]
    assert ids(scene.admin) == [submitted.pk]
    assert ids(world.users["citizen"]) == []
    assert ids(world.users["operator"]) == []
    body = api(scene.other_reviewer).get(f"{API}{submitted.pk}/").json()
    assert [p["agency"] for p in body["parts"]] == ["other-agency"]


def test_retrieve__404_when_not_visible(api, submitted, world):
    assert api(world.users["citizen"]).get(f"{API}{submitted.pk}/").status_code == 404


def test_steps__the_whole_flow(api, scene, submitted, world):
    admin = api(scene.admin)
    assert admin.post(f"{API}{submitted.pk}/check/").json()["status"] == "checked"
    provider_part = part_of(submitted, world.provider)
    url = f"{API}{submitted.pk}/parts/{provider_part.pk}/approve/"
    body = api(scene.reviewer).post(url, {"resources": [scene.conditional.pk]}, format="json")
    assert body.status_code == 200, body.json()
    other_part = part_of(submitted, world.other_agency)
    url = f"{API}{submitted.pk}/parts/{other_part.pk}/approve/"
    assert api(scene.other_reviewer).post(url).json()["status"] == "decided"
    issued = admin.post(f"{API}{submitted.pk}/issue/", {"fee_cap": "100.00"}, format="json")
    assert issued.status_code == 200, issued.json()
    agreement = issued.json()
    assert agreement["status"] == "issued" and agreement["fee_cap"] == "100.00"
    signed = api(scene.applicant).post(f"{AGREEMENTS}{agreement['id']}/sign/")
    assert signed.json()["status"] == "active"


def test_step__wrong_state_is_409_with_current_state(api, scene, checked):
    response = api(scene.admin).post(f"{API}{checked.pk}/check/")
    assert response.status_code == 409
    assert response.json()["current_state"] == "checked"
    assert "detail" in response.json()


def test_step__wrong_role_is_403(api, scene, submitted, world):
    assert api(scene.applicant).post(f"{API}{submitted.pk}/check/").status_code == 403
    assert api(scene.reviewer).post(f"{API}{submitted.pk}/return/").status_code == 403
    assert OperationApplication.objects.get().status == "submitted"


def test_step__return_without_reason_is_400(api, scene, submitted):
    response = api(scene.admin).post(f"{API}{submitted.pk}/return/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert OperationApplication.objects.get().status == "submitted"


def test_part__another_agency_gets_404_and_the_platform_403(api, scene, checked, world):
    part = part_of(checked, world.provider)
    url = f"{API}{checked.pk}/parts/{part.pk}/approve/"
    assert api(scene.other_reviewer).post(url).status_code == 404
    assert api(scene.admin).post(url).status_code == 403
    part.refresh_from_db()
    assert part.status == "pending"


def test_part__deciding_twice_is_409(api, scene, checked, world):
    part = part_of(checked, world.provider)
    url = f"{API}{checked.pk}/parts/{part.pk}/"
    assert api(scene.reviewer).post(url + "approve/").status_code == 200
    response = api(scene.reviewer).post(url + "reject/", {"reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["current_state"] == "approved"


def test_part__question_and_answer(api, scene, checked, world):
    part = part_of(checked, world.provider)
    url = f"{API}{checked.pk}/parts/{part.pk}/"
    assert api(scene.reviewer).post(url + "request_info/").status_code == 400  # no question
    asked = api(scene.reviewer).post(url + "request_info/", {"reason": "用途?"}, format="json")
    assert asked.status_code == 200
    answered = api(scene.applicant).post(url + "respond/", {"reason": "统计"}, format="json")
    statuses = {p["agency"]: p["status"] for p in answered.json()["parts"]}
    assert statuses["provider"] == "pending"


def test_part__approving_an_entry_of_another_part_is_400(api, scene, checked, world):
    part = part_of(checked, world.provider)
    url = f"{API}{checked.pk}/parts/{part.pk}/approve/"
    data = {"resources": [scene.other.pk]}
    assert api(scene.reviewer).post(url, data, format="json").status_code == 400


def test_issue__more_than_five_years_is_400(api, scene, decided):
    data = {"valid_from": "2026-01-01T00:00:00Z", "valid_until": "2031-06-01T00:00:00Z"}
    response = api(scene.admin).post(f"{API}{decided.pk}/issue/", data, format="json")
    assert response.status_code == 400 and "valid_until" in response.json()
    assert not Agreement.objects.exists()


def test_agreements__list_and_lifecycle(api, scene, active, world):
    assert [a["id"] for a in api(scene.applicant).get(AGREEMENTS).json()["results"]] == [active.pk]
    assert api(world.users["operator"]).get(f"{AGREEMENTS}{active.pk}/").status_code == 404
    url = f"{AGREEMENTS}{active.pk}/"
    assert api(scene.applicant).post(url + "suspend/", {"reason": "x"}).status_code == 403
    assert api(scene.admin).post(url + "suspend/").status_code == 400
    assert api(scene.admin).post(url + "suspend/", {"reason": "核查"}).json()["status"] == (
        "suspended"
    )
    again = api(scene.admin).post(url + "suspend/", {"reason": "核查"})
    assert again.status_code == 409 and again.json()["current_state"] == "suspended"
    assert api(scene.admin).post(url + "resume/").json()["status"] == "active"
    assert api(scene.admin).post(url + "expire/").status_code == 400  # term not over
    assert api(scene.admin).post(url + "revoke/", {"reason": "违约"}).json()["status"] == (
        "revoked"
    )
    assert AuditEvent.objects.filter(action__startswith="agreement.").count() == 5


def test_agreements__renew(api, scene, active):
    url = f"{AGREEMENTS}{active.pk}/renew/"
    response = api(scene.applicant).post(url, {"undertaking_accepted": True}, format="json")
    assert response.status_code == 201
    assert response.json()["renews"] == active.pk and response.json()["status"] == "submitted"
    assert api(scene.applicant).post(url, {}, format="json").status_code == 400
    assert api(scene.admin).post(url, {}, format="json").status_code == 403


# --- the access an agreement gives, through the row API -----------------------------------


@pytest.fixture
def table(world):
    from catalog.rows.services import rows_load

    resource = f.ResourceFactory(
        provider=world.provider, tier="restricted", grade="L2", title="行政区统计表"
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1", position=1)
    f.FieldFactory(
        resource=resource, name="数值", name_en="count", data_type="integer", grade="L2", position=2
    )
    rows_load(distribution=f.DistributionFactory(resource=resource))
    return resource


@pytest.fixture
def on_table(scene, table, world):
    """An agreement over ``table``, issued (not yet signed)."""
    from grading.operation import agreements, services

    application = services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[table],
        submit=True,
    )
    services.operation_application_act(actor=scene.admin, application=application, action="check")
    services.operation_part_act(
        actor=scene.reviewer, part=part_of(application, world.provider), action="approve"
    )
    application.refresh_from_db()
    return agreements.agreement_issue(actor=scene.admin, application=application)


def rows(api, user, table):
    return api(user).get(f"/api/v1/resources/{table.pk}/rows/")


def test_rows__follow_the_agreement_state(api, scene, table, on_table):
    from grading.operation import agreements

    def act(action, actor, reason=""):
        agreements.agreement_act(actor=actor, agreement=on_table, action=action, reason=reason)

    assert rows(api, scene.applicant, table).status_code == 404  # issued: not even visible
    act("sign", scene.applicant)
    response = rows(api, scene.applicant, table)
    assert response.status_code == 200 and response.json()["results"]
    act("suspend", scene.admin, "核查")
    assert rows(api, scene.applicant, table).status_code in (403, 404)
    act("resume", scene.admin)
    assert rows(api, scene.applicant, table).status_code == 200
    act("revoke", scene.admin, "违约")
    assert rows(api, scene.applicant, table).status_code in (403, 404)


def test_rows__an_expired_agreement_gives_nothing(api, scene, table, on_table):
    import datetime as dt

    from django.utils import timezone

    from grading.operation import agreements

    agreements.agreement_act(actor=scene.applicant, agreement=on_table, action="sign")
    past = timezone.now() - dt.timedelta(minutes=1)
    Agreement.objects.filter(pk=on_table.pk).update(valid_until=past)
    assert rows(api, scene.applicant, table).status_code in (403, 404)
    agreements.agreements_expire()
    assert Agreement.objects.get(pk=on_table.pk).status == "expired"
    assert rows(api, scene.applicant, table).status_code in (403, 404)


def test_rows__a_conditional_entry_answers_403_once_suspended(api, scene, world):
    from catalog.rows.services import rows_load
    from grading.operation import agreements, services

    entry = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L1")
    f.FieldFactory(resource=entry, name="区", name_en="district", grade="L1", position=1)
    rows_load(distribution=f.DistributionFactory(resource=entry))
    application = services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[entry],
        submit=True,
    )
    services.operation_application_act(actor=scene.admin, application=application, action="check")
    services.operation_part_act(
        actor=scene.reviewer, part=part_of(application, world.provider), action="approve"
    )
    application.refresh_from_db()
    agreement = agreements.agreement_issue(actor=scene.admin, application=application)
    # The applicant also holds no grant: world.users["grantee"] has grants only from make_resource.
    agreements.agreement_act(actor=scene.applicant, agreement=agreement, action="sign")
    assert rows(api, scene.applicant, entry).status_code == 200
    agreements.agreement_act(
        actor=scene.admin, agreement=agreement, action="suspend", reason="核查"
    )
    assert rows(api, scene.applicant, entry).status_code == 403


def test_lists__a_fixed_number_of_queries_whatever_the_page_size(api, scene, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grading.operation import services

    def make(n):
        for _i in range(n):
            services.operation_application_create(
                actor=scene.applicant,
                applicant=scene.org,
                data=f.operation_data(),
                resources=[scene.conditional, scene.other],
                submit=True,
            )
            f.agreement(scene.org, [scene.conditional, scene.other])

    def count(url):
        client = api(scene.applicant)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make(2)
    few = (count(API), count(AGREEMENTS))
    make(5)
    assert (count(API), count(AGREEMENTS)) == few
