"""Feedback: corrections, data requests and rights complaints, through HTTP and the services.

A citizen's correction is answered by the agency and shown on the resource page; an upheld
complaint suspends download and row queries (grants do not help) until it is resolved; bad input
writes nothing; the agency's response figures count working days."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grading.feedback import selectors
from grading.feedback import services as fb
from grading.models import AuditEvent, Feedback, Notice
from portal.transitions import InvalidTransition
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    """Anonymous submissions are counted per address in the cache; each test starts at zero."""
    cache.clear()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_evidence() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT) / "feedback"
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def form_url(resource, kind):
    return reverse("grading:feedback-new", args=[resource.pk, kind])


def post_form(client, url, **data):
    """GET the form (for its one-time submission key), then POST it with ``data``."""
    page = client.get(url)
    data.setdefault("submission_key", page.context["form"]["submission_key"].value())
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def open_resource(make_resource):
    return make_resource("open_L1")


def complaint(world, resource, user=None, **extra):
    item, _created = fb.feedback_submit(
        actor=user or world.users["citizen"],
        kind="complaint",
        resource=resource,
        title="侵犯个人信息",
        text="该数据含有本人住址。",
        **extra,
    )
    return item


# -- a citizen's correction, answered publicly ------------------------------------------------


def test_correction__anonymous_citizen_to_public_answer(client, world, open_resource):
    response = post_form(
        client, form_url(open_resource, "correction"), title="数值有误", text="第2行数值应为43。"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:resource-detail", args=[open_resource.pk])
    item = Feedback.objects.get()
    assert (item.kind, item.status, item.submitter, item.agency) == (
        "correction",
        "open",
        None,
        world.provider,
    )
    page = client.get(response["Location"]).content.decode()
    assert "数值有误" not in page  # not public until answered

    staff = login(client, world.users["agency_staff"])
    inbox = staff.get(reverse("grading:feedback-inbox")).content.decode()
    assert "数值有误" in inbox
    answered = staff.post(
        reverse("grading:feedback-detail", args=[item.pk]),
        {"action": "answer", "text": "已更正，感谢指出。"},
    )
    assert answered.status_code == 302
    client.logout()
    page = client.get(reverse("catalog:resource-detail", args=[open_resource.pk])).content.decode()
    assert "数值有误" in page and "已更正，感谢指出。" in page
    assert AuditEvent.objects.filter(action="feedback.answer", object_id=str(item.pk)).exists()


def test_correction__answer_reaches_a_cached_anonymous_page(
    client, world, open_resource, settings, django_capture_on_commit_callbacks
):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    url = reverse("catalog:resource-detail", args=[open_resource.pk])
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    item, _ = fb.feedback_submit(
        actor=world.users["citizen"],
        kind="correction",
        resource=open_resource,
        title="错字",
        text="标题错字",
    )
    with django_capture_on_commit_callbacks(execute=True):
        fb.feedback_act(
            actor=world.users["agency_staff"], feedback=item, action="answer", text="已改"
        )
    response = client.get(url)
    assert response["X-Cache"] == "miss" and "已改" in response.content.decode()


def test_answer__notifies_the_signed_in_submitter_and_hides_who_asked(client, world, open_resource):
    citizen = world.users["citizen"]
    item, _ = fb.feedback_submit(
        actor=citizen, kind="request", resource=open_resource, title="增加字段", text="请增加经纬度"
    )
    fb.feedback_act(
        actor=world.users["agency_staff"], feedback=item, action="answer", text="下月增加"
    )
    notice = Notice.objects.get(user=citizen)
    assert "下月增加" in notice.text
    assert notice.link == reverse("grading:feedback-detail", args=[item.pk])
    page = client.get(reverse("catalog:resource-detail", args=[open_resource.pk])).content.decode()
    assert "下月增加" in page and citizen.username not in page
    api = client.get("/api/v1/feedback/").json()["results"]
    assert [row["id"] for row in api] == [item.pk]
    assert "submitter" not in api[0] and citizen.username not in str(api)


def test_request__free_text_addressed_to_an_agency(client, world):
    url = reverse("grading:feedback-request") + f"?agency={world.provider.code}"
    page = client.get(url)
    assert page.context["form"]["agency"].value() == world.provider.pk
    response = post_form(
        client, url, agency=world.provider.pk, title="公交到站数据", text="希望开放实时到站数据。"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("grading:organization-feedback", args=["provider"])
    item = Feedback.objects.get()
    assert (item.kind, item.resource, item.agency) == ("request", None, world.provider)


# -- rights complaints: suspension through the policy -----------------------------------------


def test_complaint__upheld_suspends_then_resolved_restores(client, world, make_table):
    resource = make_table("conditional_L1", n=3)
    distribution = resource.distributions.first()
    download = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    rows = f"/api/v1/resources/{resource.pk}/rows/"
    citizen = login(client, world.users["citizen"])
    filed = post_form(
        citizen,
        form_url(resource, "complaint"),
        title="侵犯隐私",
        text="该数据可识别本人。",
        evidence=SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf"),
    )
    assert filed.status_code == 302
    item = Feedback.objects.get()
    assert item.evidence and stored_evidence()

    staff = login(client, world.users["agency_staff"])
    assert (
        staff.post(
            reverse("grading:feedback-detail", args=[item.pk]), {"action": "uphold", "text": "属实"}
        ).status_code
        == 302
    )
    assert staff.get(download).status_code == 200  # the agency keeps access
    assert staff.get(rows).status_code == 200

    grantee = login(client, world.users["grantee"])
    denied = grantee.get(download, HTTP_ACCEPT_LANGUAGE="en")
    assert denied.status_code == 403
    assert "suspended pending a rights complaint" in denied.content.decode()
    denied_rows = grantee.get(rows, HTTP_ACCEPT_LANGUAGE="en")
    assert denied_rows.status_code == 403
    assert "suspended pending a rights complaint" in denied_rows.json()["detail"]
    page = grantee.get(reverse("catalog:resource-detail", args=[resource.pk]))
    assert page.status_code == 200 and resource.title in page.content.decode()  # metadata stays

    staff = login(client, world.users["agency_staff"])
    staff.post(
        reverse("grading:feedback-detail", args=[item.pk]), {"action": "resolve", "text": "已脱敏"}
    )
    grantee = login(client, world.users["grantee"])
    assert grantee.get(download).status_code == 200
    assert grantee.get(rows).status_code == 200
    item.refresh_from_db()
    assert item.status == "resolved" and item.resolution == "已脱敏"


def test_complaint__open_data_suspended_for_anonymous(client, world, open_resource):
    item = complaint(world, open_resource)
    distribution = open_resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[open_resource.pk, distribution.pk])
    assert client.get(url).status_code == 200  # an open complaint changes nothing
    fb.feedback_act(actor=world.users["agency_staff"], feedback=item, action="uphold", text="属实")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "suspended pending a rights complaint" in response.content.decode()


def test_complaint__dismissed_changes_nothing(client, world, open_resource):
    item = complaint(world, open_resource)
    fb.feedback_act(
        actor=world.users["agency_staff"], feedback=item, action="dismiss", text="不属实"
    )
    distribution = open_resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[open_resource.pk, distribution.pk])
    assert client.get(url).status_code == 200
    assert Notice.objects.filter(user=world.users["citizen"], text__contains="不属实").exists()


def test_complaint__is_not_public_and_others_get_404(client, world, open_resource):
    item = complaint(
        world,
        open_resource,
        evidence=SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf"),
    )
    fb.feedback_act(actor=world.users["agency_staff"], feedback=item, action="uphold", text="属实")
    detail = reverse("grading:feedback-detail", args=[item.pk])
    evidence = reverse("grading:feedback-evidence", args=[item.pk])
    page = client.get(reverse("catalog:resource-detail", args=[open_resource.pk])).content.decode()
    assert "侵犯个人信息" not in page
    assert client.get("/api/v1/feedback/").json()["results"] == []
    for kind in ("grantee", "other_agency_staff", "operator"):
        other = login(client, world.users[kind])
        assert other.get(detail).status_code == 404
        assert other.get(evidence).status_code == 404
        assert other.get(f"/api/v1/feedback/{item.pk}/").status_code == 404
    for kind in ("citizen", "agency_staff", "platform_admin", "auditor"):
        allowed = login(client, world.users[kind])
        assert allowed.get(detail).status_code == 200
        response = allowed.get(evidence)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="feedback.evidence").count() == 4


def test_complaint__anonymous_is_sent_to_log_in_and_nothing_is_written(client, open_resource):
    url = form_url(open_resource, "complaint")
    response = client.post(url, {"title": "t", "text": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    api = client.post(
        "/api/v1/feedback/",
        {"kind": "complaint", "resource": open_resource.pk, "title": "t", "text": "x"},
    )
    assert api.status_code == 403
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("variant", ["restricted_L2", "restricted_L4"])
def test_feedback_on_a_restricted_resource_is_404(client, world, make_resource, variant):
    resource = make_resource(variant)
    for kind in ("correction", "request", "complaint"):
        assert client.get(form_url(resource, kind)).status_code == 404
        assert client.post(form_url(resource, kind), {"title": "t", "text": "x"}).status_code == 404
    login(client, world.users["citizen"])
    assert client.get(form_url(resource, "complaint")).status_code == 404
    api = client.post(
        "/api/v1/feedback/",
        {"kind": "correction", "resource": resource.pk, "title": "t", "text": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 400 and api.json()["resource"] == ["No such resource."]
    assert not Feedback.objects.exists()


def test_unknown_kind_of_form_is_404(client, open_resource):
    assert client.get(form_url(open_resource, "praise")).status_code == 404


# -- bad input: a clear 4xx and nothing written -----------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "数值有误", "text": "   "}, "text"),
        ({"title": "", "text": "第2行有误"}, "title"),
        ({"title": "x" * 201, "text": "第2行有误"}, "title"),
        ({"title": "数值有误", "text": "第2行有误", "website": "http://spam.example"}, "website"),
    ],
)
def test_bad_correction__400_and_nothing_written(client, open_resource, data, field):
    response = post_form(client, form_url(open_resource, "correction"), **data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Feedback.objects.exists() and not AuditEvent.objects.exists()


def test_honeypot__says_the_submission_was_not_stored(client, open_resource):
    response = post_form(
        client, form_url(open_resource, "correction"), title="t", text="x", website="y"
    )
    assert "looks automated" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("proof.pdf", b"%PDF-" + b"0" * (64 * 1024), "larger than"),
        ("proof.txt", b"plain text", "PDF, PNG or JPEG"),
        ("proof.pdf", b"MZ\x90\x00 not a pdf", "PDF, PNG or JPEG"),
        ("proof.png", PDF, "PDF, PNG or JPEG"),
    ],
)
def test_bad_evidence__400_and_no_file_kept(
    client, world, open_resource, settings, name, content, message
):
    settings.FEEDBACK_EVIDENCE_MAX_BYTES = 32 * 1024
    before = stored_evidence()
    login(client, world.users["citizen"])
    response = post_form(
        client,
        form_url(open_resource, "complaint"),
        title="侵权",
        text="含本人信息",
        evidence=SimpleUploadedFile(name, content),
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert not Feedback.objects.exists() and stored_evidence() == before


def test_evidence_only_on_complaints(world, open_resource):
    before = stored_evidence()
    with pytest.raises(fb.ValidationError) as error:
        fb.feedback_submit(
            actor=world.users["citizen"],
            kind="correction",
            resource=open_resource,
            title="t",
            text="x",
            evidence=SimpleUploadedFile("p.pdf", PDF),
        )
    assert "evidence" in error.value.message_dict
    assert not Feedback.objects.exists() and stored_evidence() == before


def test_request_without_an_agency_is_400(client):
    response = post_form(client, reverse("grading:feedback-request"), title="t", text="x")
    assert response.status_code == 400 and response.context["form"].errors["agency"]
    assert not Feedback.objects.exists()


def test_double_submission__the_resent_form_stores_one_row(client, world, open_resource):
    url = form_url(open_resource, "correction")
    key = client.get(url).context["form"]["submission_key"].value()
    for _attempt in range(2):
        response = client.post(url, {"title": "错", "text": "第2行", "submission_key": key})
        assert response.status_code == 302
    assert Feedback.objects.count() == 1
    assert AuditEvent.objects.filter(action="feedback.submit").count() == 1
    citizen = login(client, world.users["citizen"])
    reused = citizen.post(
        "/api/v1/feedback/",
        {
            "kind": "correction",
            "resource": open_resource.pk,
            "title": "t",
            "text": "x",
            "submission_key": key,
        },
    )
    assert reused.status_code == 400 and "submission_key" in reused.json()
    assert Feedback.objects.count() == 1


def test_double_submission__api_answers_200_with_the_first(client, world, open_resource):
    login(client, world.users["citizen"])
    body = {
        "kind": "correction",
        "resource": open_resource.pk,
        "title": "t",
        "text": "x",
        "submission_key": "k-1",
    }
    first = client.post("/api/v1/feedback/", body)
    again = client.post("/api/v1/feedback/", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Feedback.objects.count() == 1


def test_double_submission__anonymous_replay_of_a_key_gets_409_and_no_content(
    client, world, open_resource
):
    """Anyone who learns another visitor's one-time key (a shared page, a proxy log) must not
    read that visitor's feedback back through the API: the key proves nothing about an
    anonymous caller, so a repeated key is refused without the earlier row."""
    url = form_url(open_resource, "correction")
    key = client.get(url).context["form"]["submission_key"].value()
    secret = {"title": "第3行住址有误", "text": "我家住在幸福路12号，不是10号。"}
    assert client.post(url, {**secret, "submission_key": key}).status_code == 302
    stored = Feedback.objects.get()
    client.logout()
    replay = client.post(
        "/api/v1/feedback/",
        {
            "kind": "correction",
            "resource": open_resource.pk,
            "title": "t",
            "text": "x",
            "submission_key": key,
        },
        REMOTE_ADDR="10.0.0.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert replay.status_code == 409
    assert replay.json() == {"detail": "This feedback was already received; it is with the agency."}
    body = replay.content.decode()
    assert secret["title"] not in body and secret["text"] not in body
    assert list(Feedback.objects.values_list("pk", "title")) == [(stored.pk, secret["title"])]
    assert AuditEvent.objects.filter(action="feedback.submit").count() == 1
    with pytest.raises(fb.AlreadyReceived):
        fb.feedback_submit(
            actor=None,
            kind="correction",
            resource=open_resource,
            title="t",
            text="x",
            submission_key=key,
        )


def test_double_submission__anonymous_resent_form_says_received_without_the_row(
    client, open_resource
):
    url = form_url(open_resource, "correction")
    key = client.get(url).context["form"]["submission_key"].value()
    data = {"title": "错", "text": "第2行", "submission_key": key}
    first = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert [str(m) for m in first.context["messages"]][0].startswith("Thank you. Your feedback #")
    again = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert again.redirect_chain[-1][0] == reverse(
        "catalog:resource-detail", args=[open_resource.pk]
    )
    shown = [str(m) for m in again.context["messages"]]
    assert shown == ["This feedback was already received; it is with the agency."]
    assert Feedback.objects.count() == 1


def test_anonymous_rate_limit__429_and_nothing_written(client, open_resource, settings):
    settings.FEEDBACK_ANON_LIMIT = 2
    url = form_url(open_resource, "correction")
    for _attempt in range(2):
        assert post_form(client, url, title="t", text="x").status_code == 302
    response = post_form(client, url, title="t", text="x")
    assert response.status_code == 429
    api = client.post(
        "/api/v1/feedback/",
        {"kind": "correction", "resource": open_resource.pk, "title": "t", "text": "x"},
    )
    assert api.status_code == 429
    assert Feedback.objects.count() == 2
    other = client.post(url, {"title": "t", "text": "x"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302  # counted per address


# -- transitions ------------------------------------------------------------------------------


def test_invalid_transitions__409_or_400_and_nothing_changed(client, world, open_resource):
    correction, _ = fb.feedback_submit(
        actor=None, kind="correction", resource=open_resource, title="t", text="x"
    )
    item = complaint(world, open_resource)
    staff = login(client, world.users["agency_staff"])
    detail = reverse("grading:feedback-detail", args=[item.pk])
    assert staff.post(detail, {"action": "resolve", "text": "r"}).status_code == 409
    assert staff.post(detail, {"action": "answer", "text": "a"}).status_code == 400
    assert staff.post(detail, {"action": "uphold", "text": " "}).status_code == 400
    assert staff.post(detail, {"action": "explode", "text": "x"}).status_code == 403
    assert staff.post(detail, {"action": "uphold", "text": "属实"}).status_code == 302
    again = staff.post(detail, {"action": "dismiss", "text": "d"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "Upheld" in again.content.decode()
    api = staff.post(
        f"/api/v1/feedback/{correction.pk}/transition/", {"action": "answer", "text": "已改"}
    )
    assert api.status_code == 200 and api.json()["status"] == "answered"
    twice = staff.post(
        f"/api/v1/feedback/{correction.pk}/transition/", {"action": "answer", "text": "再改"}
    )
    assert twice.status_code == 409 and twice.json()["current_state"] == "answered"
    item.refresh_from_db()
    correction.refresh_from_db()
    assert (item.status, item.answer) == ("upheld", "属实")
    assert correction.answer == "已改"
    assert AuditEvent.objects.filter(action__startswith="feedback.").count() == 4


def test_compare_and_set__a_stale_object_cannot_move_twice(world, open_resource):
    item = complaint(world, open_resource)
    stale = Feedback.objects.get(pk=item.pk)
    fb.feedback_act(actor=world.users["agency_staff"], feedback=item, action="dismiss", text="否")
    with pytest.raises(InvalidTransition) as error:
        fb.feedback_act(
            actor=world.users["agency_staff"], feedback=stale, action="uphold", text="是"
        )
    assert error.value.current == "dismissed"
    assert not fb.policy.is_suspended(open_resource)


@pytest.mark.parametrize("kind", ["citizen", "other_agency_staff", "platform_admin", "grantee"])
def test_only_the_agency_addressed_may_act(client, world, open_resource, kind):
    item = complaint(world, open_resource, user=world.users["operator"])
    response = login(client, world.users[kind]).post(
        reverse("grading:feedback-detail", args=[item.pk]), {"action": "uphold", "text": "x"}
    )
    # Those who cannot see the complaint get 404; platform staff see it but do not decide.
    assert response.status_code == (403 if kind == "platform_admin" else 404)
    item.refresh_from_db()
    assert item.status == "open"


# -- the inbox --------------------------------------------------------------------------------


def test_inbox__by_state_with_overdue_flagged(client, world, open_resource, settings):
    settings.FEEDBACK_ANSWER_DAYS = 15
    late = complaint(world, open_resource)
    fresh, _ = fb.feedback_submit(
        actor=None, kind="correction", resource=open_resource, title="新的", text="x"
    )
    Feedback.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    other, _ = fb.feedback_submit(
        actor=None, kind="request", agency=world.other_agency, title="别家的", text="x"
    )
    staff = login(client, world.users["agency_staff"])
    page = staff.get(reverse("grading:feedback-inbox"))
    items = list(page.context["page"])
    assert [i.pk for i in items] == [late.pk, fresh.pk]
    assert [i.overdue for i in items] == [True, False]
    assert "别家的" not in page.content.decode()
    assert fresh.due_on == fb.add_working_days(timezone.localdate(), 15)
    only_open = staff.get(reverse("grading:feedback-inbox"), {"status": "open"})
    assert len(only_open.context["page"]) == 2
    answered = staff.get(reverse("grading:feedback-inbox"), {"status": "answered"})
    assert len(answered.context["page"]) == 0
    assert staff.get(reverse("grading:feedback-inbox"), {"status": "bogus"}).status_code == 400
    assert other.agency == world.other_agency


def test_inbox__is_for_agency_staff(client, world):
    assert client.get(reverse("grading:feedback-inbox")).status_code == 302
    assert (
        login(client, world.users["citizen"]).get(reverse("grading:feedback-inbox")).status_code
        == 403
    )


# -- response figures in working days ---------------------------------------------------------


def _answered(world, resource, created: dt.date, answered: dt.date | None, actor=None):
    item, _ = fb.feedback_submit(
        actor=actor, kind="correction", resource=resource, title="t", text="x"
    )
    at = lambda day: timezone.make_aware(dt.datetime.combine(day, dt.time(10)))  # noqa: E731
    Feedback.objects.filter(pk=item.pk).update(
        created_at=at(created),
        answered_at=at(answered) if answered else None,
        status="answered" if answered else "open",
        answer="好" if answered else "",
        due_on=fb.add_working_days(created, django_settings.FEEDBACK_ANSWER_DAYS),
    )


def test_response_figures__working_days(client, world, open_resource, make_resource, settings):
    settings.FEEDBACK_ANSWER_DAYS = 3
    # Friday 2026-03-06 → Monday 03-09: 1 working day; Mon 03-09 → Mon 03-16: 5; same day: 0;
    # Wed 09-30 → Thu 10-08 crosses the National Day holidays (10-01..10-03) and a weekend: 4.
    _answered(world, open_resource, dt.date(2026, 3, 6), dt.date(2026, 3, 9))
    _answered(world, open_resource, dt.date(2026, 3, 9), dt.date(2026, 3, 16))
    _answered(world, open_resource, dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    _answered(world, open_resource, dt.date(2026, 9, 30), dt.date(2026, 10, 8))
    _answered(world, open_resource, dt.date(2020, 1, 6), None)  # open and long overdue
    hidden = make_resource("restricted_L2")
    _answered(
        world, hidden, dt.date(2026, 3, 9), dt.date(2026, 3, 30), world.users["operator"]
    )  # not counted in public
    figures = selectors.response_figures(agency=world.provider)
    assert (figures.received, figures.answered, figures.open, figures.overdue) == (5, 4, 1, 1)
    assert figures.median_days == 2.5  # of 0, 1, 4, 5
    assert figures.average_days == 2.5
    assert figures.within_share == 50.0  # 0 and 1 are within 3 working days
    page = client.get(reverse("grading:organization-feedback", args=[world.provider.code]))
    assert page.status_code == 200 and page.context["figures"] == figures
    assert "50.0%" in page.content.decode()


def test_response_figures__none_yet(client, world):
    page = client.get(reverse("grading:organization-feedback", args=[world.other_agency.code]))
    assert page.status_code == 200
    assert page.context["figures"].median_days is None


def test_organization_feedback__enterprise_or_unknown_is_404(client, world):
    assert (
        client.get(
            reverse("grading:organization-feedback", args=[world.enterprise.code])
        ).status_code
        == 404
    )
    assert client.get(reverse("grading:organization-feedback", args=["nope"])).status_code == 404
    bad = client.get(
        reverse("grading:organization-feedback", args=[world.provider.code]), {"resource": "x"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "value", ["²", "١٢", "99999999999999999999999", "1234567890123456789", "-1", "1.0", " 1"]
)
def test_resource_filter__odd_numbers_are_400_not_500(client, world, open_resource, value):
    """Unicode digits that ``int`` refuses and numbers too long for the database are a clear
    400 on the agency's page and in the API, never a server error."""
    page = client.get(
        reverse("grading:organization-feedback", args=[world.provider.code]),
        {"resource": value},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400
    assert "The resource must be a number of at most 18 digits" in page.content.decode()
    api = client.get("/api/v1/feedback/", {"resource": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert api.json()["resource"] == ["A resource number of at most 18 digits (0–9)."]


def test_resource_filter__longest_number_is_accepted(client, world, open_resource):
    _many(world, open_resource, 1)
    org = reverse("grading:organization-feedback", args=[world.provider.code])
    assert client.get(org, {"resource": "9" * 18}).status_code == 200
    assert client.get("/api/v1/feedback/", {"resource": "9" * 18}).json()["results"] == []
    mine = client.get("/api/v1/feedback/", {"resource": str(open_resource.pk)}).json()
    assert len(mine["results"]) == 1


def test_public_answers_about_restricted_resources_stay_hidden(client, world, make_resource):
    hidden = make_resource("restricted_L2")
    item, _ = fb.feedback_submit(
        actor=world.users["operator"],
        kind="correction",
        resource=hidden,
        title="秘密纠错",
        text="x",
    )
    fb.feedback_act(actor=world.users["agency_staff"], feedback=item, action="answer", text="已改")
    org = reverse("grading:organization-feedback", args=[world.provider.code])
    assert "秘密纠错" not in client.get(org).content.decode()
    assert client.get("/api/v1/feedback/").json()["results"] == []
    assert client.get(reverse("grading:feedback-detail", args=[item.pk])).status_code == 404
    operator = login(client, world.users["operator"])
    assert "秘密纠错" in operator.get(org).content.decode()


# -- query counts -----------------------------------------------------------------------------


def _many(world, resource, n):
    for i in range(n):
        item, _ = fb.feedback_submit(
            actor=None, kind="correction", resource=resource, title=f"第{i}条", text="x"
        )
        fb.feedback_act(
            actor=world.users["agency_staff"], feedback=item, action="answer", text="好"
        )
    complaint(world, resource)


def _count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda world, resource: reverse("grading:feedback-inbox"),
        lambda world, resource: reverse("grading:organization-feedback", args=["provider"]),
        lambda world, resource: "/api/v1/feedback/",
        lambda world, resource: reverse("catalog:resource-detail", args=[resource.pk]),
    ],
    ids=["inbox", "organization", "api", "resource-page"],
)
def test_query_counts_do_not_grow_with_the_list(
    client, world, open_resource, django_assert_max_num_queries, url_of
):
    login(client, world.users["agency_staff"])
    url = url_of(world, open_resource)
    _many(world, open_resource, 2)
    few = _count(client, url, django_assert_max_num_queries, 40)
    _many(world, open_resource, 15)
    assert _count(client, url, django_assert_max_num_queries, few) <= few


def test_pages_paginate(client, world, open_resource):
    _many(world, open_resource, 25)
    org = reverse("grading:organization-feedback", args=["provider"])
    first = client.get(org)
    assert len(first.context["page"]) == 20 and first.context["page"].has_next()
    assert len(client.get(org, {"page": 2}).context["page"]) == 5
    page = client.get(reverse("catalog:resource-detail", args=[open_resource.pk]))
    assert len(page.context["feedback_answers"]) == django_settings.FEEDBACK_SHOWN
    assert f"?resource={open_resource.pk}" in page.content.decode()


def test_evidence_is_stored_outside_static_files(world, open_resource):
    item = complaint(world, open_resource, evidence=SimpleUploadedFile("proof.pdf", PDF))
    path = Path(item.evidence.path)
    assert str(path).startswith(str(django_settings.MEDIA_ROOT))
    assert not str(path).startswith(str(django_settings.STATIC_ROOT))
    assert os.path.basename(path).endswith(".pdf")


def test_no_application_while_access_is_suspended(client, world, make_resource):
    resource = make_resource("conditional_L1")
    enterprise_staff = f.UserFactory()
    f.confirm_email(enterprise_staff)
    assert fb.policy.can_apply(enterprise_staff, resource)
    item = complaint(world, resource)
    fb.feedback_act(actor=world.users["agency_staff"], feedback=item, action="uphold", text="属实")
    assert not fb.policy.can_apply(enterprise_staff, resource)
    page = login(client, enterprise_staff).get(
        reverse("catalog:resource-detail", args=[resource.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "/applications/new/" not in page.content.decode()
    assert "suspended pending a rights complaint" in page.content.decode()
