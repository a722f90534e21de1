"""What a harvested source cannot make ``manage.py harvest`` do: read local files or other
hosts through Hydra next pages or redirects, fetch a JSON-LD document's remote ``@context``,
or expand XML entities ("billion laughs"). Each is refused with an error and nothing written."""

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.models import HarvestRecord, Resource
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{base}/catalog> a dcat:Catalog ; dcat:dataset <{base}/ds/{name}> ; hydra:view <{base}/view> .
<{base}/ds/{name}> a dcat:Dataset ; dct:title "{title}"@zh ; dct:identifier "{name}" .
<{base}/view> a hydra:PartialCollectionView ; hydra:next <{next}> .
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://example.org/ds/laughs"><dct:title>&i;</dct:title></dcat:Dataset>
</rdf:RDF>
"""


class Site:
    """A web server on 127.0.0.1 answering from ``pages`` (path -> (status, headers, body))
    and recording every path asked for."""

    def __init__(self):
        self.pages: dict[str, tuple[int, dict, bytes]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the handler's API)
                site.hits.append(self.path)
                status, headers, body = site.pages.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"

    def turtle(self, path: str, *, name: str, title: str, next_url: str) -> None:
        text = PAGE.format(base=self.url, name=name, title=title, next=next_url)
        self.pages[path] = (200, {"Content-Type": "text/turtle"}, text.encode())


@pytest.fixture
def site():
    served = Site()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


@pytest.fixture
def theme():
    return f.ThemeFactory(code="air")


def harvest(**options) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("harvest", org="provider", theme="air", stdout=out, **options)
    return out.getvalue()


def _nothing_written() -> bool:
    return not Resource.objects.exists() and not HarvestRecord.objects.exists()


def test_next_page_on_file_url_is_refused(world, theme, site, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text(
        PAGE.format(base="http://x.example", name="secret", title="机密", next="http://x.example/")
    )
    site.turtle("/catalog.ttl", name="one", title="第一页", next_url=secret.as_uri())
    with pytest.raises(CommandError, match="Refused the next page file:///.*own host"):
        harvest(dcat=[site.url + "/catalog.ttl"])
    assert _nothing_written()


def test_next_page_on_another_host_is_refused(world, theme, site):
    site.turtle(
        "/catalog.ttl", name="one", title="第一页", next_url=f"http://localhost:{site.port}/p2"
    )
    site.turtle("/p2", name="two", title="第二页", next_url=site.url + "/p2")
    with pytest.raises(CommandError, match="Refused the next page http://localhost:"):
        harvest(dcat=[site.url + "/catalog.ttl"])
    assert site.hits == ["/catalog.ttl"]
    assert _nothing_written()


def test_next_page_on_the_same_host_is_followed(world, theme, site):
    site.turtle("/catalog.ttl", name="one", title="第一页", next_url=site.url + "/p2")
    site.turtle("/p2", name="two", title="第二页", next_url=site.url + "/p2")
    harvest(dcat=[site.url + "/catalog.ttl"])
    assert site.hits == ["/catalog.ttl", "/p2"]
    assert sorted(Resource.objects.values_list("title", flat=True)) == ["第一页", "第二页"]


def test_redirect_off_the_host_is_refused(world, theme, site):
    elsewhere = f"http://localhost:{site.port}/elsewhere.ttl"
    site.pages["/catalog.ttl"] = (302, {"Location": elsewhere}, b"")
    site.turtle("/elsewhere.ttl", name="one", title="别处", next_url=elsewhere)
    with pytest.raises(CommandError, match="redirected off the source's host"):
        harvest(dcat=[site.url + "/catalog.ttl"])
    assert site.hits == ["/catalog.ttl"]
    assert _nothing_written()


def _jsonld(context) -> str:
    return json.dumps(
        {
            "@context": context,
            "@id": "http://example.org/ds/1",
            "@type": "http://www.w3.org/ns/dcat#Dataset",
            "http://purl.org/dc/terms/title": "远程上下文",
        }
    )


@pytest.mark.parametrize(
    "context",
    [
        "{url}/context.jsonld",
        ["{url}/context.jsonld"],
        [{"dct": "http://purl.org/dc/terms/"}, {"ds": {"@id": "x:y", "@context": "{url}/s"}}],
        {"@import": "{url}/context.jsonld", "dct": "http://purl.org/dc/terms/"},
    ],
    ids=["string", "list", "scoped", "import"],
)
@pytest.mark.parametrize("where", ["file", "url"])
def test_jsonld_remote_context_is_refused_and_never_fetched(
    world, theme, site, tmp_path, context, where
):
    context = json.loads(json.dumps(context).replace("{url}", site.url))
    body = _jsonld(context)
    site.pages["/context.jsonld"] = (
        200,
        {"Content-Type": "application/ld+json"},
        b'{"@context": {}}',
    )
    site.pages["/catalog.jsonld"] = (200, {"Content-Type": "application/ld+json"}, body.encode())
    if where == "file":
        path = tmp_path / "catalog.jsonld"
        path.write_text(body)
        location = str(path)
    else:
        location = site.url + "/catalog.jsonld"
    with pytest.raises(CommandError, match="refused: its JSON-LD refers to a remote @context"):
        harvest(dcat=[location])
    assert [hit for hit in site.hits if hit != "/catalog.jsonld"] == []
    assert _nothing_written()


def test_jsonld_inline_context_is_read(world, theme, tmp_path):
    path = tmp_path / "catalog.jsonld"
    path.write_text(_jsonld({"dct": "http://purl.org/dc/terms/"}))
    harvest(dcat=[str(path)])
    assert list(Resource.objects.values_list("title", flat=True)) == ["远程上下文"]


def _timed_refusal(**options) -> float:
    start = time.monotonic()
    with pytest.raises(CommandError, match="refused: it declares a DOCTYPE"):
        harvest(**options)
    return time.monotonic() - start


def test_billion_laughs_file_is_refused_quickly(world, theme, tmp_path):
    path = tmp_path / "laughs.rdf"
    path.write_text(BILLION_LAUGHS)
    assert len(BILLION_LAUGHS.encode()) < 1200
    assert _timed_refusal(dcat=[str(path)]) < 5
    assert _nothing_written()


def test_billion_laughs_served_as_rdf_xml_is_refused(world, theme, site):
    headers = {"Content-Type": "application/rdf+xml"}
    site.pages["/catalog.rdf"] = (200, headers, BILLION_LAUGHS.encode())
    assert _timed_refusal(dcat=[site.url + "/catalog.rdf"]) < 5
    assert _nothing_written()


def test_doctype_in_another_encoding_is_refused(world, theme, tmp_path):
    path = tmp_path / "laughs.rdf"
    path.write_bytes(
        BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="utf-16"?>').encode("utf-16")
    )
    assert _timed_refusal(dcat=[str(path)]) < 5
    assert _nothing_written()


def test_rdf_xml_without_doctype_is_still_read(world, theme, tmp_path):
    start, end = BILLION_LAUGHS.index("<!DOCTYPE"), BILLION_LAUGHS.index("]>") + 2
    plain = BILLION_LAUGHS[:start] + BILLION_LAUGHS[end:]
    path = tmp_path / "plain.rdf"
    path.write_text(plain.replace("&i;", "无实体"))
    harvest(dcat=[str(path)])
    assert list(Resource.objects.values_list("title", flat=True)) == ["无实体"]
