# ruff: noqa: F811
"""The search engine: permission labels against the policy's SQL for every caller, the outbox
(freshness, crash repair), several processes on one index directory, the rebuild, keyset pages,
counts, suggestions."""

import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction

from catalog.models import Resource, SearchOutbox
from catalog.publishing.resources import resource_publish
from catalog.search import outbox
from catalog.search.engine import PRODUCTS, RESOURCES, Busy, Match, Order, get_engine, use_engine
from catalog.search.tantivy_engine import TantivyEngine
from grading import policy
from grading.models import Agreement
from portal.actors import SYSTEM
from tests import factories as f
from tests.access_truth import VIEW
from tests.conftest import USER_KINDS, VARIANTS
from tests.english import client, english  # noqa: F401 - fixtures: pages in English
from tests.search_index import indexed


def _visible_in_engine(kind: str, user) -> set[int]:
    indexed()
    labels = (
        policy.resource_caller_labels(user)
        if kind == RESOURCES
        else policy.product_caller_labels(user)
    )
    key = "by_modified" if kind == RESOURCES else "by_id"
    hits = get_engine().search(kind, Match(labels=tuple(labels)), Order(key=key), 10_000)
    return {k & 0xFFFFFFFF for k in hits.keys}


@pytest.fixture
def every_variant(world, make_resource):
    """Each tier/grade variant published and as a draft, plus one breaking the ceiling and one
    of another agency; an agreement of the operator covering them all."""
    made = {}
    for variant in VARIANTS:
        made[variant] = make_resource(variant)
        made[f"{variant}-draft"] = make_resource(variant, status="draft", code=f"D-{variant}")
    made["ceiling-breaker"] = f.ResourceFactory(provider=world.provider, tier="open", grade="L4")
    made["other-agency"] = f.ResourceFactory(provider=world.other_agency, tier="restricted")
    return made


@pytest.mark.parametrize("kind", USER_KINDS)
def test_labels_give_the_policys_visible_set_for_every_caller(world, every_variant, kind):
    user = world.users[kind]
    expected = set(policy.viewable(user).values_list("pk", flat=True))
    assert _visible_in_engine(RESOURCES, user) == expected
    # ... and the hand-written truth table agrees for the published variants.
    for variant in VARIANTS:
        assert (every_variant[variant].pk in expected) == (kind in VIEW[variant]), variant


@pytest.mark.parametrize("kind", USER_KINDS)
def test_product_labels_give_the_policys_visible_set(world, kind):
    for status in ("draft", "submitted", "listed", "suspended", "delisted"):
        f.ProductFactory(provider=world.operator_org, status=status)
        f.ProductFactory(status=status)
    user = world.users[kind]
    expected = set(policy.viewable_products(user).values_list("pk", flat=True))
    assert _visible_in_engine(PRODUCTS, user) == expected


def test_an_agreement_suspended_leaves_the_operators_results_at_once(world, make_resource):
    restricted = make_resource("restricted_L2")
    operator = world.users["operator"]
    assert restricted.pk in _visible_in_engine(RESOURCES, operator)
    Agreement.objects.filter(operator=world.operator_org).update(status="suspended")
    operator._grading_principal = None
    # No reindexing: the caller no longer holds the agreement's label.
    assert restricted.pk not in _visible_in_engine(RESOURCES, operator)


def test_a_stale_index_narrows_but_never_leaks(client, world, make_resource):
    entry = make_resource("open_L1", title="港口吞吐量统计")
    indexed()
    # Written around the services: the index still holds it as public.
    Resource.objects.filter(pk=entry.pk).update(tier="restricted", grade="L2")
    SearchOutbox.objects.all().delete()
    body = client.get("/api/v1/resources/", {"q": "港口"}).json()
    assert body["results"] == []  # the database's re-check drops it
    page = client.get("/resources/", {"q": "港口"})
    assert b"\xe6\xb8\xaf\xe5\x8f\xa3\xe5\x90\x9e" not in page.content.split(b'id="results"')[1]


@pytest.mark.django_db(transaction=True)
def test_a_tier_change_leaves_the_results_before_the_next_request(client, world, make_resource):
    entry = make_resource("open_L1", title="港口吞吐量统计")
    assert client.get("/api/v1/resources/", {"q": "港口"}).json()["count"] == 1
    entry.refresh_from_db()
    entry.tier, entry.grade = "restricted", "L2"
    entry.save()  # committed: the index follows right after the commit
    assert not SearchOutbox.objects.exists()
    with mock.patch.object(outbox, "catch_up", side_effect=AssertionError("no repair needed")):
        body = client.get("/api/v1/resources/", {"q": "港口"}).json()
    assert body["count"] == 0 and body["results"] == []


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_commit_and_indexing_is_repaired_by_the_next_search(client, world):
    failing = mock.patch.object(TantivyEngine, "replace", side_effect=RuntimeError("crash"))
    with failing:
        f.ResourceFactory(provider=world.provider, title="渔业捕捞产量")
    assert SearchOutbox.objects.count() >= 1  # committed, not indexed
    body = client.get("/api/v1/resources/", {"q": "渔业"}).json()
    assert body["count"] == 1
    assert not SearchOutbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_search_index_catch_up_repairs_after_a_crash(world, capsys):
    with mock.patch.object(TantivyEngine, "replace", side_effect=RuntimeError("crash")):
        f.ResourceFactory(provider=world.provider, title="渔业捕捞产量")
    call_command("search_index", "--catch-up")
    assert "left: 0" not in capsys.readouterr().out  # the message is "...; 0 left."
    assert not SearchOutbox.objects.exists()
    assert _visible_in_engine(RESOURCES, None) == set(Resource.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_nothing_to_index(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        f.ResourceFactory(provider=world.provider, title="回滚的条目")
        raise RuntimeError
    assert not SearchOutbox.objects.exists()
    assert _visible_in_engine(RESOURCES, None) == set()


def test_publishing_through_the_service_reaches_the_index(client, world, make_resource):
    draft = make_resource("open_L1", title="共同主题二", code="DRAFT-2", status="submitted")
    assert client.get("/api/v1/resources/", {"q": "共同"}).json()["count"] == 0
    resource_publish(actor=SYSTEM, resource=draft)  # a compare-and-set UPDATE, no post_save
    assert client.get("/api/v1/resources/", {"q": "共同"}).json()["count"] == 1


def test_an_agreement_scope_change_relabels_its_entries(world):
    entry = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    operator = world.users["operator"]
    assert entry.pk not in _visible_in_engine(RESOURCES, operator)
    f.agreement(world.operator_org, [entry])
    operator._grading_principal = None
    assert entry.pk in _visible_in_engine(RESOURCES, operator)


# -- several processes on one index directory -------------------------------------------------


def test_two_engines_on_one_directory_see_each_others_commits(tmp_path, world):
    first, second = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    entry = f.ResourceFactory(provider=world.provider)
    documents = list(search_documents([entry.pk]))
    visible = Match(labels=("public",))
    assert second.counts(RESOURCES, visible, ()).total == 0
    with first.writing(wait=1):
        first.replace(RESOURCES, documents, [])
    assert second.counts(RESOURCES, visible, ()).total == 1
    with second.writing(wait=1):
        second.replace(RESOURCES, [], [entry.pk])
    assert first.counts(RESOURCES, visible, ()).total == 0


def test_one_writer_at_a_time_across_processes(tmp_path):
    first, second = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    with first.writing(wait=0), pytest.raises(Busy), second.writing(wait=0.1):
        pass
    with second.writing(wait=0):
        pass  # free again


def test_a_rebuild_swaps_generations_for_every_reader(tmp_path, world):
    writer, reader = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    entries = [f.ResourceFactory(provider=world.provider) for _ in range(3)]
    visible = Match(labels=("public",))
    assert reader.counts(RESOURCES, visible, ()).total == 0
    with writer.writing(wait=1):
        assert writer.rebuild(RESOURCES, search_documents([e.pk for e in entries])) == 3
    assert reader.counts(RESOURCES, visible, ()).total == 3
    generations = [p for p in (tmp_path / RESOURCES).iterdir() if p.is_dir()]
    assert len(generations) == 1  # the old one is gone


def search_documents(ids):
    from catalog.search.documents import documents

    return documents(RESOURCES, ids)


def test_search_reindex_rebuilds_the_engine_from_the_database(client, world):
    entries = [f.ResourceFactory(provider=world.provider, title=f"森林覆盖{i}") for i in range(3)]
    indexed()
    use_engine(TantivyEngine())  # a new, empty engine: a lost index directory
    try:
        assert client.get("/api/v1/resources/", {"q": "森林"}).json()["count"] == 0
        call_command("search_reindex", "--engine-only", verbosity=0)
        assert client.get("/api/v1/resources/", {"q": "森林"}).json()["count"] == len(entries)
    finally:
        use_engine(None)


# -- pages, counts and orderings --------------------------------------------------------------


@pytest.fixture
def ranked(world):
    """12 entries holding 港口 in the abstract only, then 8 holding it in the title, newer."""
    made = []
    for i in range(12):
        made.append(
            f.ResourceFactory(
                provider=world.provider,
                title=f"统计{i}",
                abstract="含港口数据",
                modified=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            )
        )
    for i in range(8):
        made.append(
            f.ResourceFactory(
                provider=world.provider,
                title=f"港口{i}",
                modified=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            )
        )
    return made


def _walk(client, url, params):
    pages, body = [], client.get(url, params).json()
    while True:
        pages.append([row["id"] for row in body["results"]])
        if not body["next"]:
            return pages, body
        body = client.get(body["next"]).json()


def test_relevance_pages_walk_both_halves_forward_and_back(client, ranked):
    pages, body = _walk(client, "/api/v1/resources/", {"q": "港口", "page_size": 3})
    forward = [pk for page in pages for pk in page]
    in_title = sorted(ranked[12:], key=lambda r: (r.modified, r.pk), reverse=True)
    rest = sorted(ranked[:12], key=lambda r: (r.modified, r.pk), reverse=True)
    assert forward == [r.pk for r in in_title + rest]
    assert body["count"] == 20
    back = []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back.insert(0, [row["id"] for row in body["results"]])
    assert back == pages[:-1]


def test_title_ordering_pages_by_offset_without_gaps(client, world):
    for i in range(7):
        f.ResourceFactory(provider=world.provider, title=f"标题{i % 3}")
    pages, _body = _walk(client, "/api/v1/resources/", {"ordering": "title", "page_size": 2})
    forward = [pk for page in pages for pk in page]
    assert forward == list(Resource.objects.order_by("title", "id").values_list("pk", flat=True))


@pytest.mark.parametrize("token", ["bm90LWpzb24", "eyJrIjogLTF9", "eyJrIjogMSwgInAiOiA1fQ"])
def test_forged_cursors_are_a_400(client, world, token):
    f.ResourceFactory(provider=world.provider)
    assert client.get("/api/v1/resources/", {"cursor": token}).status_code == 400
    assert client.get("/resources/", {"cursor": token}).status_code == 400


def test_the_page_shows_the_count_removable_chips_and_no_export_when_empty(client, world, english):
    theme = f.ThemeFactory(code="env")
    for i in range(3):
        f.ResourceFactory(provider=world.provider, theme=theme, title=f"水质监测{i}")
    page = client.get("/resources/", {"q": "水质", "theme": "env"})
    text = page.content.decode()
    assert "3 data resources found" in text
    chips = dict((label, without) for label, _value, without in page.context["filters"])
    assert chips["Search"] == "theme=env" and chips["Theme"] == "q=%E6%B0%B4%E8%B4%A8"
    assert "Export CSV" in text
    empty = client.get("/resources/", {"q": "水汁"})
    text = empty.content.decode()
    assert "0 data resources found" in text and "Export CSV" not in text
    assert "水质" in empty.context["suggestions"]  # did you mean: a word starting like 水汁
    assert '?q=%E6%B0%B4%E8%B4%A8">水质</a>' in text


def test_suggestions_complete_the_last_word_and_follow_the_policy(client, world, make_resource):
    open_entry = make_resource("open_L1", title="北京空气质量")
    hidden = make_resource("restricted_L2", title="北京空间规划")
    body = client.get("/api/v1/suggest/", {"q": "北京 空"}).json()
    assert [r["id"] for r in body["results"]] == [open_entry.pk]
    assert body["results"][0]["page_url"].endswith(f"/resources/{open_entry.pk}/")
    client.force_login(world.users["agency_staff"])
    staff = {r["id"] for r in client.get("/api/v1/suggest/", {"q": "北京 空"}).json()["results"]}
    assert staff == {open_entry.pk, hidden.pk}


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"q": "字" * 201}])
def test_suggestions_without_words_are_a_400(client, db, params):
    response = client.get("/api/v1/suggest/", params)
    assert response.status_code == 400 and "q" in response.json()


def test_the_map_counts_come_from_the_engine_per_top_theme(client, world):
    parent = f.ThemeFactory(code="top")
    child = f.ThemeFactory(code="child", parent=parent)
    f.ResourceFactory(provider=world.provider, theme=parent)
    f.ResourceFactory(provider=world.provider, theme=child)
    f.ResourceFactory(provider=world.provider, theme=child, tier="restricted", grade="L2")
    found = client.get("/map/").context["map"]
    assert found.counts == {(parent.pk, world.provider.pk): 2}


def test_outbox_rows_of_one_transaction_schedule_one_indexing(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for i in range(5):
            f.ResourceFactory(provider=world.provider, title=f"批量{i}")
    assert len([c for c in callbacks if getattr(c, "__name__", "") == "callback"]) == 1
    assert SearchOutbox.objects.count() >= 5
