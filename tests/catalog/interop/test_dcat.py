"""DCAT-AP: the catalogue and each resource in Turtle, JSON-LD and RDF/XML, checked with the
DCAT-AP 3.0.1 SHACL shapes, the access rules over every kind of user, paging and bad input."""

import pytest
from django.urls import reverse
from rdflib import Literal, URIRef

from catalog.models import Distribution
from tests import factories as f
from tests.access_truth import DOWNLOAD, VIEW
from tests.conftest import USER_KINDS, VARIANTS
from tests.interop import (
    CONTENT_TYPES,
    DCAT,
    DCTERMS,
    FOAF,
    HYDRA,
    RDF,
    SKOS,
    SPDX,
    XSD,
    parse,
    violations,
    warnings,
)
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

FORMATS = ["ttl", "jsonld", "rdf"]
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
BASE = "http://testserver"


def dataset_iri(resource) -> URIRef:
    return URIRef(f"{BASE}/resources/{resource.pk}/#dataset")


@pytest.fixture
def every_variant(make_resource):
    """One resource of each tier and grade, with the metadata DCAT-AP recommends."""
    return {
        variant: make_resource(
            variant,
            title_en=f"Unique title {variant}",
            abstract_en="An abstract in English.",
            license="CC BY 4.0",
            spatial="上海市",
            temporal="2019-01-01至2025年12月",
            keywords="空气质量,AQI",
            issued="2024-01-15",
        )
        for variant in VARIANTS
    }


def get_rdf(client, url, fmt, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(CONTENT_TYPES[fmt])
    return parse(response.content, fmt)


# ---------------------------------------------------------------------------------------------
# Validation against DCAT-AP 3.0.1
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["anonymous", "platform_admin"])
def test_catalogue__conforms_to_dcat_ap(as_user, world, every_variant, fmt, kind):
    api = f.DistributionFactory(
        resource=every_variant["open_L1"],
        title="数据接口",
        kind=Distribution.Kind.API,
        format="JSON",
        media_type="application/json",
        file=None,
        url="https://data.example.cn/api/records",
        byte_size=None,
        sha256="",
    )
    product = f.ProductFactory(provider=world.operator_org, name_en="A product")
    product.source_resources.set(every_variant.values())
    graph = get_rdf(as_user(kind), f"/catalog.{fmt}", fmt)
    assert violations(graph) == []
    assert (None, RDF.type, DCAT.Dataset) in graph
    assert (
        None,
        DCAT.accessService,
        URIRef(f"{BASE}/resources/{api.resource_id}/#service-{api.pk}"),
    ) in graph
    assert (URIRef(f"{BASE}/products/{product.pk}/#service"), RDF.type, DCAT.DataService) in graph


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_resource__conforms_to_dcat_ap(as_user, every_variant, fmt, variant):
    resource = every_variant[variant]
    graph = get_rdf(as_user("agency_staff"), f"/resources/{resource.pk}.{fmt}", fmt)
    assert violations(graph) == []
    assert (dataset_iri(resource), RDF.type, DCAT.Dataset) in graph


def test_demo_catalogue__has_no_violations_and_few_warnings(client):
    """The demo data, as the public sees it, page by page. The warning figures are measured
    (see README); they name what the model does not record (bounding boxes of places, endpoint
    descriptions of services, a licence for non-open entries), and must not grow."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    total, counts = 0, None
    for page in (1, 2):
        graph = get_rdf(client, "/catalog.ttl", "ttl", page=page)
        assert violations(graph) == []
        found = warnings(graph)
        counts = found if counts is None else counts + found
        total += sum(found.values())
    print(f"DCAT-AP recommended-shape warnings over the public demo catalogue: {total}")
    print(dict(counts))
    assert total <= DEMO_WARNINGS_MEASURED


# Measured on the demo data (66 resources, 78 products; anonymous view, both pages).
DEMO_WARNINGS_MEASURED = 393


# ---------------------------------------------------------------------------------------------
# What the mapping says
# ---------------------------------------------------------------------------------------------


def test_resource__literals_access_rights_publisher_theme(client, every_variant, world):
    resource = every_variant["open_L1"]
    graph = get_rdf(client, f"/resources/{resource.pk}.ttl", "ttl")
    node = dataset_iri(resource)
    assert (node, DCTERMS.title, Literal(resource.title, lang="zh")) in graph
    assert (node, DCTERMS.title, Literal("Unique title open_L1", lang="en")) in graph
    assert (node, DCTERMS.description, Literal("An abstract in English.", lang="en")) in graph
    assert (node, DCTERMS.identifier, Literal(resource.code)) in graph
    assert (node, DCTERMS.accessRights, URIRef(ACCESS_RIGHT + "PUBLIC")) in graph
    assert (node, DCTERMS.issued, Literal("2024-01-15", datatype=XSD.date)) in graph
    publisher = graph.value(node, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert (publisher, FOAF.name, Literal(world.provider.name, lang="zh")) in graph
    assert (publisher, FOAF.name, Literal(world.provider.name_en, lang="en")) in graph
    theme = graph.value(node, DCAT.theme)
    assert (theme, RDF.type, SKOS.Concept) in graph
    assert (theme, SKOS.prefLabel, Literal(resource.theme.name, lang="zh")) in graph
    assert (theme, SKOS.prefLabel, Literal(resource.theme.name_en, lang="en")) in graph
    period = graph.value(node, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2019-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2025-12", datatype=XSD.gYearMonth)


@pytest.mark.parametrize(
    ("variant", "right"),
    [("open_L1", "PUBLIC"), ("conditional_L2", "RESTRICTED"), ("restricted_L4", "NON_PUBLIC")],
)
def test_resource__tier_maps_to_eu_access_right(as_user, every_variant, variant, right):
    resource = every_variant[variant]
    graph = get_rdf(as_user("platform_admin"), f"/resources/{resource.pk}.ttl", "ttl")
    assert list(graph.objects(dataset_iri(resource), DCTERMS.accessRights)) == [
        URIRef(ACCESS_RIGHT + right)
    ]


def test_distribution__size_checksum_format_and_links(client, every_variant):
    resource = every_variant["open_L1"]
    distribution = resource.distributions.get()
    graph = get_rdf(client, f"/resources/{resource.pk}.jsonld", "jsonld")
    node = URIRef(f"{BASE}/resources/{resource.pk}/#distribution-{distribution.pk}")
    assert (dataset_iri(resource), DCAT.distribution, node) in graph
    assert graph.value(node, DCAT.byteSize) == Literal(
        len(f.CSV_BYTES), datatype=XSD.nonNegativeInteger
    )
    checksum = graph.value(node, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(graph.value(checksum, SPDX.checksumValue)) == distribution.sha256
    assert graph.value(node, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/csv"
    )
    assert graph.value(node, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    )
    assert graph.value(node, DCAT.accessURL) == URIRef(f"{BASE}/resources/{resource.pk}/")
    download = graph.value(node, DCAT.downloadURL)
    assert download == URIRef(
        f"{BASE}/resources/{resource.pk}/distributions/{distribution.pk}/download/"
    )
    assert client.get(str(download).removeprefix(BASE)).status_code == 200
    licence = graph.value(node, DCTERMS.license)
    assert licence == URIRef("http://creativecommons.org/licenses/by/4.0/")


def test_product__is_a_data_service_without_invisible_sources(client, world, every_variant):
    product = f.ProductFactory(provider=world.operator_org, scenarios=["城市治理"])
    product.source_resources.set([every_variant["open_L1"], every_variant["restricted_L4"]])
    graph = get_rdf(client, "/catalog.ttl", "ttl")
    node = URIRef(f"{BASE}/products/{product.pk}/#service")
    assert (URIRef(f"{BASE}/#catalog"), DCAT.service, node) in graph
    assert graph.value(node, DCAT.endpointURL) == URIRef(f"{BASE}/products/{product.pk}/")
    assert (node, DCAT.keyword, Literal("城市治理", lang="zh")) in graph
    assert list(graph.objects(node, DCTERMS.source)) == [dataset_iri(every_variant["open_L1"])]


# ---------------------------------------------------------------------------------------------
# Access: what each kind of user may see and download
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", USER_KINDS)
def test_catalogue__lists_exactly_what_the_user_may_see(as_user, every_variant, kind):
    client = as_user(kind)
    expected = {dataset_iri(r) for v, r in every_variant.items() if kind in VIEW[v]}
    for fmt in FORMATS:
        response = client.get(f"/catalog.{fmt}")
        graph = parse(response.content, fmt)
        assert set(graph.subjects(RDF.type, DCAT.Dataset)) == expected
        text = response.content.decode()
        for variant, resource in every_variant.items():
            assert (resource.title in text) is (kind in VIEW[variant])
            assert (resource.code in text) is (kind in VIEW[variant])
        total = graph.value(URIRef(f"{BASE}/#catalog"), HYDRA.totalItems)
        assert total.toPython() == len(expected)


@pytest.mark.parametrize("kind", USER_KINDS)
def test_catalogue__download_urls_only_where_the_user_may_download(as_user, every_variant, kind):
    graph = get_rdf(as_user(kind), "/catalog.ttl", "ttl")
    for variant, resource in every_variant.items():
        if kind not in VIEW[variant]:
            continue
        distribution = graph.value(dataset_iri(resource), DCAT.distribution)
        assert graph.value(distribution, DCAT.accessURL) is not None
        has_download = graph.value(distribution, DCAT.downloadURL) is not None
        assert has_download is (kind in DOWNLOAD[variant]), variant


@pytest.mark.parametrize("kind", USER_KINDS)
def test_resource__invisible_is_404_in_every_format(as_user, every_variant, kind):
    client = as_user(kind)
    for variant, resource in every_variant.items():
        for fmt in FORMATS:
            response = client.get(f"/resources/{resource.pk}.{fmt}")
            assert response.status_code == (200 if kind in VIEW[variant] else 404)
            assert (resource.title in response.content.decode()) is (kind in VIEW[variant])


def test_resource__conditional_has_no_download_url_for_anonymous(client, every_variant):
    for variant in ("conditional_L1", "conditional_L2", "conditional_L3"):
        resource = every_variant[variant]
        for fmt in FORMATS:
            graph = get_rdf(client, f"/resources/{resource.pk}.{fmt}", fmt)
            assert list(graph.subject_objects(DCAT.downloadURL)) == []
            assert list(graph.subject_objects(DCAT.accessURL))


def test_catalogue__search_and_modified_since_respect_the_policy(client, every_variant):
    graph = get_rdf(client, "/catalog.ttl", "ttl", q="独特标题restricted_L4")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == set()
    graph = get_rdf(client, "/catalog.ttl", "ttl", q="独特标题open_L1")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_iri(every_variant["open_L1"])}


# ---------------------------------------------------------------------------------------------
# Paging, filters and bad input
# ---------------------------------------------------------------------------------------------


def test_catalogue__pages_hold_100_entries_with_hydra_links(client, world):
    for i in range(101):
        f.ResourceFactory(provider=world.provider, title=f"分页资源{i}")
    first = get_rdf(client, "/catalog.ttl", "ttl")
    view = URIRef(f"{BASE}/catalog.ttl?page=1")
    assert len(set(first.subjects(RDF.type, DCAT.Dataset))) == 100
    assert (view, RDF.type, HYDRA.PartialCollectionView) in first
    assert first.value(view, HYDRA.next) == URIRef(f"{BASE}/catalog.ttl?page=2")
    assert first.value(view, HYDRA.nextPage) == URIRef(f"{BASE}/catalog.ttl?page=2")
    assert first.value(view, HYDRA.last) == URIRef(f"{BASE}/catalog.ttl?page=2")
    assert first.value(view, HYDRA.previous) is None
    assert first.value(URIRef(f"{BASE}/#catalog"), HYDRA.totalItems).toPython() == 101
    second = get_rdf(client, "/catalog.ttl", "ttl", page=2)
    assert len(set(second.subjects(RDF.type, DCAT.Dataset))) == 1
    assert second.value(URIRef(f"{BASE}/catalog.ttl?page=2"), HYDRA.previous) == view


def test_catalogue__walks_resources_then_products_without_gaps(client, world, settings):
    settings.CATALOG_RDF_PAGE_SIZE = 3
    resources = [f.ResourceFactory(provider=world.provider) for _ in range(4)]
    products = [f.ProductFactory(provider=world.operator_org) for _ in range(4)]
    catalog, seen, url = URIRef(f"{BASE}/#catalog"), [], "/catalog.jsonld"
    while url:
        graph = get_rdf(client, url, "jsonld")
        seen += sorted(graph.objects(catalog, DCAT.dataset))
        seen += sorted(graph.objects(catalog, DCAT.service))
        following = graph.value(graph.value(catalog, HYDRA.view), HYDRA.next)
        url = str(following).removeprefix(BASE) if following else None
    expected = [dataset_iri(r) for r in resources]
    expected += [URIRef(f"{BASE}/products/{p.pk}/#service") for p in products]
    assert seen == expected


def test_catalogue__modified_since_keeps_newer_entries_and_the_filter_in_links(client, world):
    old = f.ResourceFactory(provider=world.provider, modified="2025-01-01")
    new = f.ResourceFactory(provider=world.provider, modified="2026-03-01")
    graph = get_rdf(client, "/catalog.ttl", "ttl", modified_since="2026-01-01")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_iri(new)}
    view = URIRef(f"{BASE}/catalog.ttl?modified_since=2026-01-01&page=1")
    assert graph.value(view, HYDRA.first) == view
    graph = get_rdf(client, "/catalog.ttl", "ttl", modified_since="2024-12-31T23:00:00+08:00")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_iri(old), dataset_iri(new)}


@pytest.mark.parametrize(
    "query",
    [
        "modified_since=yesterday",
        "modified_since=2026-13-01",
        "modified_since=2026-02-30",
        "page=0",
        "page=-1",
        "page=two",
        "q=" + "很" * 201,
    ],
)
def test_catalogue__bad_parameters_are_400(client, query, make_resource):
    make_resource("open_L1")
    response = client.get(f"/catalog.ttl?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert name in response.content.decode()


def test_catalogue__past_the_last_page_is_404_and_an_empty_catalogue_has_one_page(client, world):
    graph = get_rdf(client, "/catalog.ttl", "ttl")
    assert violations(graph) == []
    assert graph.value(URIRef(f"{BASE}/#catalog"), HYDRA.totalItems).toPython() == 0
    assert client.get("/catalog.ttl?page=2").status_code == 404


def test_unknown_format_is_404(client, make_resource):
    resource = make_resource("open_L1")
    assert client.get("/catalog.csv").status_code == 404
    assert client.get(f"/resources/{resource.pk}.n3").status_code == 404


def test_catalogue__issues_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, settings
):
    theme = f.ThemeFactory(parent=f.ThemeFactory())
    for i in range(40):
        resource = f.ResourceFactory(provider=world.provider, theme=theme, title=f"查询数{i}")
        f.DistributionFactory(resource=resource)
        product = f.ProductFactory(provider=world.operator_org, theme=theme)
        product.source_resources.set([resource])
    client.force_login(world.users["grantee"])
    for size in (5, 100):
        settings.CATALOG_RDF_PAGE_SIZE = size
        # session, user, the caller's roles (2), two counts, resources, distributions,
        # products and their visible sources: 10 whatever the page size.
        with django_assert_max_num_queries(10):
            assert client.get("/catalog.ttl").status_code == 200
    indexed()  # the search engine's one-time indexing of the rows made above is not the page's
    with django_assert_max_num_queries(10):
        assert client.get("/catalog.ttl", {"page": 1, "q": "查询数"}).status_code == 200


# ---------------------------------------------------------------------------------------------
# Content negotiation and links from the pages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("text/html;q=0.5, text/turtle", "ttl"),
    ],
)
def test_resource_page__answers_rdf_when_asked(client, make_resource, accept, fmt):
    resource = make_resource("open_L1")
    response = client.get(f"/resources/{resource.pk}/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(CONTENT_TYPES[fmt])
    assert "Accept" in response["Vary"]
    assert response["Content-Location"] == f"/resources/{resource.pk}.{fmt}"
    assert (dataset_iri(resource), RDF.type, DCAT.Dataset) in parse(response.content, fmt)


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "image/png"],
)
def test_resource_page__is_html_otherwise(client, make_resource, accept):
    resource = make_resource("open_L1")
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(f"/resources/{resource.pk}/", **headers)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_resource_page__negotiation_keeps_restricted_hidden(client, make_resource):
    resource = make_resource("restricted_L4")
    response = client.get(f"/resources/{resource.pk}/", HTTP_ACCEPT="text/turtle")
    assert response.status_code == 404
    assert resource.title not in response.content.decode()


def test_pages_link_to_their_rdf(client, make_resource):
    resource = make_resource("open_L1")
    page = client.get(f"/resources/{resource.pk}/").content.decode()
    listing = client.get(reverse("catalog:resource-list"), {"q": "空气 质量"}).content.decode()
    search = "?q=%E7%A9%BA%E6%B0%94%20%E8%B4%A8%E9%87%8F"
    for fmt, media_type in CONTENT_TYPES.items():
        assert (
            f'<link rel="alternate" type="{media_type}" href="/resources/{resource.pk}.{fmt}">'
            in page
        )
        assert (
            f'<link rel="alternate" type="{media_type}" href="/catalog.{fmt}{search}">' in listing
        )
