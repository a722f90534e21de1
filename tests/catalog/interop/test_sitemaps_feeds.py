"""The sitemap and the Atom feed: public surfaces that list only what the anonymous public may
see, whoever asks, read back as XML."""

import xml.etree.ElementTree as ET

import pytest

from catalog.models import Product
from tests import factories as f
from tests.access_truth import VIEW
from tests.conftest import USER_KINDS, VARIANTS

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = frozenset(v for v in VARIANTS if "anonymous" in VIEW[v])


@pytest.fixture
def every_variant(make_resource):
    return {variant: make_resource(variant) for variant in VARIANTS}


def xml_of(response) -> ET.Element:
    assert response.status_code == 200, response.content[:300]
    return ET.fromstring(response.content)


def sitemap_urls(root: ET.Element) -> list[str]:
    assert root.tag == f"{SITEMAP}urlset"
    return [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]


# ---------------------------------------------------------------------------------------------
# Sitemap
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", USER_KINDS)
def test_sitemap__lists_only_what_the_public_may_see(as_user, world, every_variant, kind):
    listed = f.ProductFactory(provider=world.operator_org)
    draft = f.ProductFactory(provider=world.operator_org, status=Product.Status.DRAFT)
    urls = sitemap_urls(xml_of(as_user(kind).get("/sitemap.xml")))
    for variant, resource in every_variant.items():
        assert (f"{BASE}/resources/{resource.pk}/" in urls) is (variant in PUBLIC), variant
    assert f"{BASE}/products/{listed.pk}/" in urls
    assert f"{BASE}/products/{draft.pk}/" not in urls
    assert f"{BASE}/organizations/{world.provider.code}/" in urls
    assert f"{BASE}/" in urls and f"{BASE}/resources/" in urls
    assert len(urls) == len(set(urls))


def test_sitemap__gives_lastmod_of_resources(client, make_resource):
    resource = make_resource("open_L1", modified="2026-02-03")
    root = xml_of(client.get("/sitemap.xml"))
    entry = next(
        url
        for url in root.iter(f"{SITEMAP}url")
        if url.findtext(f"{SITEMAP}loc") == f"{BASE}/resources/{resource.pk}/"
    )
    assert entry.findtext(f"{SITEMAP}lastmod") == "2026-02-03"


def test_sitemap__becomes_an_index_of_pages_past_the_limit(client, world, settings):
    settings.CATALOG_SITEMAP_LIMIT = 3
    resources = [f.ResourceFactory(provider=world.provider) for _ in range(7)]
    hidden = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L4")
    root = xml_of(client.get("/sitemap.xml"))
    assert root.tag == f"{SITEMAP}sitemapindex"
    pages = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert f"{BASE}/sitemap-resources.xml?p=3" in pages
    seen = []
    for page in pages:
        urls = sitemap_urls(xml_of(client.get(page.removeprefix(BASE))))
        assert len(urls) <= 3
        seen += urls
    assert len(seen) == len(set(seen))
    assert {f"{BASE}/resources/{r.pk}/" for r in resources} <= set(seen)
    assert f"{BASE}/resources/{hidden.pk}/" not in seen


@pytest.mark.parametrize(
    "url", ["/sitemap-resources.xml?p=2", "/sitemap-resources.xml?p=x", "/sitemap-secret.xml"]
)
def test_sitemap__unknown_section_or_page_is_404(client, make_resource, url):
    make_resource("open_L1")
    assert client.get(url).status_code == 404


def test_sitemap__issues_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(30):
        f.ResourceFactory(provider=world.provider)
        f.ProductFactory(provider=world.operator_org)
    # Per section with rows: a count and the page of rows; 6 whatever the size.
    with django_assert_max_num_queries(6):
        assert client.get("/sitemap.xml").status_code == 200


# ---------------------------------------------------------------------------------------------
# Atom feed
# ---------------------------------------------------------------------------------------------


def feed_entries(response) -> list[ET.Element]:
    root = xml_of(response)
    assert root.tag == f"{ATOM}feed"
    assert response["Content-Type"].startswith("application/atom+xml")
    return root.findall(f"{ATOM}entry")


def entry_link(entry: ET.Element) -> str:
    return entry.find(f"{ATOM}link").get("href")


@pytest.mark.parametrize("kind", USER_KINDS)
def test_feed__lists_only_what_the_public_may_see(as_user, every_variant, kind):
    response = as_user(kind).get("/feeds/resources.atom")
    links = [entry_link(entry) for entry in feed_entries(response)]
    for variant, resource in every_variant.items():
        assert (f"{BASE}/resources/{resource.pk}/" in links) is (variant in PUBLIC), variant
        assert (resource.title in response.content.decode()) is (variant in PUBLIC)


def test_feed__newest_50_by_modified_with_their_facts(client, world):
    import datetime as dt

    day = dt.date(2026, 1, 1)
    resources = [
        f.ResourceFactory(provider=world.provider, modified=day + dt.timedelta(days=i))
        for i in range(55)
    ]
    entries = feed_entries(client.get("/feeds/resources.atom"))
    assert len(entries) == 50
    newest = sorted(resources, key=lambda r: r.modified, reverse=True)[:50]
    assert [entry_link(e) for e in entries] == [f"{BASE}/resources/{r.pk}/" for r in newest]
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == newest[0].title
    assert first.findtext(f"{ATOM}updated").startswith(newest[0].modified.isoformat())
    assert first.find(f"{ATOM}author").findtext(f"{ATOM}name") == world.provider.name
    assert first.findtext(f"{ATOM}summary") == newest[0].abstract


def test_feed__issues_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(60):
        f.ResourceFactory(provider=world.provider)
    with django_assert_max_num_queries(1):
        assert client.get("/feeds/resources.atom").status_code == 200


def test_pages_announce_the_feed(client):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feeds/resources.atom"' in html
