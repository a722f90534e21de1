"""Values already in the database that no published document may carry (control characters in
text, a ``">`` in an address; written here through the ORM, as older data or another tool
could have) never break a public interop surface: every serializer strips the characters and
leaves the address out, and the rest of the catalogue is still there."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from rdflib import Literal, URIRef

from catalog.models import Distribution, Product
from tests import factories as f
from tests.interop import DCAT, DCTERMS, FOAF, parse

pytestmark = pytest.mark.django_db

BAD_URL = 'https://data.example.cn/x">'
CONTROL_TITLE = "空气\x0b质量\x01日报\x85"
CLEAN_TITLE = "空气质量日报"
FORMATS = ["ttl", "jsonld", "rdf"]
RDF_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}


@pytest.fixture
def bad(world, make_resource):
    """One public entry with a control-character title and bad addresses everywhere an address
    becomes an IRI, and one plain public entry beside it."""
    world.provider.homepage = BAD_URL
    world.provider.name_en = "Agency\x1f"
    world.provider.save()
    resource = make_resource(
        "open_L1",
        title=CONTROL_TITLE,
        title_en="Air\x0c quality",
        abstract="摘要\x02",
        keywords="关键词\x03, ok",
        license="许可\x04",
        spatial="上海\x05",
        open_conditions="条件\x06",
    )
    for kind in (Distribution.Kind.LINK, Distribution.Kind.API):
        f.DistributionFactory(
            resource=resource, kind=kind, file=None, url=BAD_URL, title="链接\x07", format="JSON"
        )
    good = make_resource("open_L1", title="道路交通流量")
    product = f.ProductFactory(
        name="产品\x08",
        description="说明\x0e",
        status=Product.Status.LISTED,
        listed_at=timezone.now(),
    )
    product.source_resources.add(resource)
    return resource, good


def _literals(graph) -> list[str]:
    return [str(o) for o in graph.objects() if isinstance(o, Literal)]


def _assert_clean_graph(graph, resource, good) -> None:
    for iri in (resource, good):
        node = URIRef(f"http://testserver/resources/{iri.pk}/#dataset")
        assert (node, None, None) in graph
    titles = {str(o) for o in graph.objects(None, DCTERMS.title)}
    assert CLEAN_TITLE in titles and "道路交通流量" in titles
    assert not any(ch in text for text in _literals(graph) for ch in "\x01\x0b\x1f\x85")
    iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    assert not any('"' in iri or ">" in iri for iri in iris)
    assert not list(graph.objects(None, FOAF.homepage)) or all(
        str(page).startswith("http://testserver/") for page in graph.objects(None, FOAF.homepage)
    )
    assert all(str(u).startswith("http://testserver/") for u in graph.objects(None, DCAT.accessURL))


@pytest.mark.parametrize("fmt", FORMATS)
def test_catalog_documents_stay_valid(client, bad, fmt):
    response = client.get(reverse("catalog:catalog-rdf", args=[fmt]))
    assert response.status_code == 200
    if fmt == "rdf":
        ET.fromstring(response.content)  # well-formed XML
    _assert_clean_graph(parse(response.content, fmt), *bad)


@pytest.mark.parametrize("fmt", FORMATS)
def test_entry_content_negotiation_stays_valid(client, bad, fmt):
    resource, _good = bad
    response = client.get(f"/resources/{resource.pk}/", HTTP_ACCEPT=RDF_TYPES[fmt])
    assert response.status_code == 200
    graph = parse(response.content, fmt)
    node = URIRef(f"http://testserver/resources/{resource.pk}/#dataset")
    assert str(graph.value(node, DCTERMS.title)) in {CLEAN_TITLE, "Air quality"}
    assert not any('"' in str(t) or ">" in str(t) for triple in graph for t in triple)


def test_atom_feed_is_well_formed(client, bad):
    response = client.get(reverse("catalog:resource-feed"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    titles = [e.text for e in root.findall("atom:entry/atom:title", ns)]
    assert CLEAN_TITLE in titles and "道路交通流量" in titles


def test_sitemap_is_well_formed(client, bad):
    response = client.get(reverse("catalog:sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(b"".join(getattr(response, "streaming_content", [response.content])))
    locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/resources/{bad[0].pk}/") for loc in locations)


def test_schema_org_is_clean(client, bad):
    resource, _good = bad
    response = client.get(f"/resources/{resource.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    start = text.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(text[start : text.index("</script>", start)])
    assert data["name"] == CLEAN_TITLE
    assert "sameAs" not in data["publisher"]
    flat = json.dumps(data, ensure_ascii=False)
    assert not any(ch in flat for ch in ("\\u000b", "\\u0001", "\\u001f", BAD_URL))


def test_ckan_api_is_clean(client, bad):
    resource, good = bad
    response = client.get("/api/3/action/package_search", {"rows": 100})
    assert response.status_code == 200
    body = json.loads(response.content)
    packages = {p["name"]: p for p in body["result"]["results"]}
    assert {resource.code, good.code} <= set(packages)
    package = packages[resource.code]
    assert package["title"] == CLEAN_TITLE
    links = [r for r in package["resources"] if r["resource_type"] in ("link", "api")]
    assert [r["url"] for r in links] == ["", ""]
    text = response.content.decode()
    assert not any(ch in text for ch in ("\\u000b", "\\u0001", "\x0b", BAD_URL.replace('"', '\\"')))
    shown = client.get("/api/3/action/organization_show", {"id": "provider"})
    assert shown.status_code == 200
    assert BAD_URL.replace('"', '\\"') not in shown.content.decode()
