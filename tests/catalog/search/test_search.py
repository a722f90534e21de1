"""Full-text search: Chinese 2-character words, English and codes, every write path keeps the
index in step, and search never shows more than the policy allows."""

import pytest
from django.core.management import call_command

from catalog.models import Resource
from catalog.publishing.resources import resource_create, resource_publish, resource_update
from catalog.search.query import index_text, query_terms
from grading import policy
from portal.actors import SYSTEM
from tests import factories as f
from tests.conftest import USER_KINDS, VARIANTS

pytestmark = pytest.mark.django_db


def _ids(client, q, path="/api/v1/resources/"):
    response = client.get(path, {"q": q, "page_size": 100})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def corpus(world):
    rows = {
        "air": f.ResourceFactory(provider=world.provider, title="上海市空气质量小时监测数据"),
        "bj": f.ResourceFactory(provider=world.provider, title="北京市交通拥堵指数"),
        "bus": f.ResourceFactory(
            provider=world.provider,
            title="公交线路站点信息",
            title_en="Bus Routes and Stops",
            code="310000-JTW-0042",
        ),
        "kw": f.ResourceFactory(
            provider=world.provider, title="医疗机构名录", keywords="医院,卫生,Hospital"
        ),
    }
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("空气", {"air"}),  # 2-character word inside 空气质量
        ("质量", {"air"}),
        ("空气质量", {"air"}),
        ("北京", {"bj"}),
        ("交通", {"bj"}),
        ("交通 指数", {"bj"}),
        ("公交", {"bus"}),
        ("bus", {"bus"}),
        ("BUS stops", {"bus"}),
        ("310000-JTW-0042", {"bus"}),
        ("医院", {"kw"}),
        ("hospital", {"kw"}),
        ("空气 北京", set()),  # every word must match
        ("火星", set()),
    ],
)
def test_search_matches(client, corpus, query, expected):
    assert _ids(client, query) == {corpus[key].pk for key in expected}


def test_web_search_box_uses_the_same_engine(client, corpus):
    response = client.get("/resources/", {"q": "空气"})
    assert [r.pk for r in response.context["resources"]] == [corpus["air"].pk]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "title:x",
        "-",
        "^",
        "'; DROP",
        "(",
        "。，",
        "_",
    ],
)
def test_query_syntax_characters_are_plain_text(client, corpus, query):
    response = client.get("/api/v1/resources/", {"q": query})
    assert response.status_code == 200
    page = client.get("/resources/", {"q": query})
    assert page.status_code == 200


def test_punctuation_only_query_matches_nothing(client, corpus):
    assert _ids(client, "。，！") == set()


def test_index_text_keeps_2_character_words():
    words = index_text("上海市空气质量").split()
    assert {"上海", "空气", "质量", "空气质量"} <= set(words)
    assert query_terms("空气质量") == ["空气质量"]


def test_create_and_update_through_services_keep_the_index(client, world):
    resource = resource_create(
        actor=SYSTEM,
        provider=world.provider,
        theme=f.ThemeFactory(),
        code="SVC-1",
        title="港口集装箱吞吐量",
        abstract="月度统计",
        tier="open",
        format="CSV",
        update_cycle="monthly",
    )
    Resource.objects.filter(pk=resource.pk).update(status="published")
    assert _ids(client, "港口") == {resource.pk}
    resource.refresh_from_db()
    resource_update(actor=SYSTEM, resource=resource, data={"title": "机场旅客吞吐量"})
    assert _ids(client, "港口") == set()
    assert _ids(client, "机场") == {resource.pk}


def test_reindex_repairs_rows_written_around_the_services(client, corpus):
    Resource.objects.filter(pk=corpus["bj"].pk).update(title="广州市天气预报")
    assert _ids(client, "广州") == set()
    call_command("search_reindex", verbosity=0)
    assert _ids(client, "广州") == {corpus["bj"].pk}
    assert _ids(client, "北京") == set()


def test_deleted_rows_leave_the_index(client, corpus):
    corpus["kw"].fields.all().delete()
    Resource.objects.filter(pk=corpus["kw"].pk).delete()
    assert _ids(client, "医院") == set()


@pytest.mark.parametrize("kind", USER_KINDS)
def test_search_results_equal_the_viewable_set(client, world, kind, make_resource):
    made = [make_resource(variant, title=f"共同主题{variant}") for variant in VARIANTS]
    made.append(make_resource("open_L1", title="共同主题草稿", code="DRAFT-1", status="draft"))
    user = world.users[kind]
    if kind != "anonymous":
        client.force_login(user)
    expected = set(
        policy.viewable(user).filter(pk__in=[r.pk for r in made]).values_list("pk", flat=True)
    )
    assert _ids(client, "共同") == expected
    facets = client.get("/resources/", {"q": "共同"}).context["facets"]
    assert sum(v.count for v in facets["tier"]) == len(expected)


def test_product_search(client, world):
    product = f.ProductFactory(provider=world.operator_org, name="全国夜间灯光指数数据服务")
    f.ProductFactory(provider=world.operator_org, name="地表温度数据服务")
    hidden = f.ProductFactory(
        provider=world.operator_org, name="夜间灯光草稿", status="draft", listed_at=None
    )
    assert _ids(client, "灯光", "/api/v1/products/") == {product.pk}
    assert hidden.pk not in _ids(client, "夜间", "/api/v1/products/")


def test_demo_data_is_searchable_after_loading(client, db):
    call_command("load_demo", verbosity=0)
    assert len(_ids(client, "空气")) >= 2
    assert len(_ids(client, "数据服务", "/api/v1/products/")) >= 54


def test_long_word_matches_when_segmented_differently(client, world):
    # jieba reads 医疗资源统计数据服务 as ... 统计数据 + 服务, never 数据服务.
    resource = f.ResourceFactory(provider=world.provider, title="医疗资源统计数据服务")
    assert "数据服务" not in resource.search_title.split()
    assert _ids(client, "数据服务") == {resource.pk}


def test_cached_facet_counts_are_never_shared_between_callers_who_see_differently(
    client, world, make_resource, settings
):
    """With the facet cache on, every kind of caller in turn still gets counts of exactly what
    the policy lets them see, for a search and for the whole catalogue."""
    from django.core.cache import cache

    settings.QUERY_CACHE_SECONDS = 300
    cache.clear()
    made = [make_resource(variant, title=f"共同主题{variant}") for variant in VARIANTS]
    made.append(make_resource("open_L1", title="共同主题草稿", code="DRAFT-1", status="draft"))
    for kind in USER_KINDS:
        client.logout()
        user = world.users[kind]
        if kind != "anonymous":
            client.force_login(user)
        visible = policy.viewable(user).filter(pk__in=[r.pk for r in made])
        for params in ({"q": "共同"}, {}):
            facets = client.get("/resources/", params).context["facets"]
            for name in ("theme", "provider", "tier", "res_format", "update_cycle"):
                assert sum(v.count for v in facets[name]) == visible.count(), (kind, name)
            tiers = {v.value: v.count for v in facets["tier"]}
            for tier in ("open", "conditional", "restricted"):
                assert tiers.get(tier, 0) == visible.filter(tier=tier).count(), (kind, tier)
    cache.clear()


def test_cached_facet_counts_follow_a_catalogue_write(
    client, world, make_resource, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.QUERY_CACHE_SECONDS = 300
    cache.clear()
    make_resource("open_L1", title="共同主题一")
    draft = make_resource("open_L1", title="共同主题二", code="DRAFT-2", status="submitted")
    before = client.get("/resources/", {"q": "共同"}).context["facets"]
    assert sum(v.count for v in before["tier"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        resource_publish(actor=SYSTEM, resource=draft)
    after = client.get("/resources/", {"q": "共同"}).context["facets"]
    assert sum(v.count for v in after["tier"]) == 2
    cache.clear()


def test_highlight_marks_every_matched_word_and_escapes_the_rest():
    from catalog.search.query import highlight

    text = "<b>上海</b>市空气质量监测数据，含PM2.5与Air Quality指数；空气污染预警。"
    snippet = highlight(text, "空气 air")
    assert "<b>" not in snippet and "&lt;b&gt;上海&lt;/b&gt;" in snippet
    assert snippet.count("<mark>空气</mark>") == 2
    assert "<mark>Air</mark>" in snippet  # case-insensitive, original case kept
    assert highlight(text, "") == highlight(text, "，；") == str(highlight(text, "无关词语"))
    assert "<mark>" not in highlight(text, "")


def test_highlight_windows_long_text_around_the_first_match():
    from catalog.search.query import highlight

    text = "甲" * 500 + "交通流量" + "乙" * 500
    snippet = highlight(text, "交通", width=80)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>交通</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 82


def test_search_results_carry_highlighted_snippets(client, world, make_resource):
    make_resource(
        "open_L1", title="道路交通流量", abstract="全市道路交通流量与<script>x</script>拥堵指数。"
    )
    body = client.get("/api/v1/resources/", {"q": "交通"}).json()
    (row,) = body["results"]
    assert "<mark>交通</mark>" in row["snippet"] and "&lt;script&gt;" in row["snippet"]
    assert client.get("/api/v1/resources/").json()["results"][0]["snippet"] is None
    page = client.get("/resources/", {"q": "交通"}).content.decode()
    assert "<mark>交通</mark>" in page and "<script>x</script>" not in page
