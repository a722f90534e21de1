"""Helpers for the interoperability tests: the standard shapes and contexts, loaded offline from
``tests/standards/``, and parsers for what the portal serves."""

import json
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

from pyld import jsonld
from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, SKOS, XSD

__all__ = ["DCAT", "DCTERMS", "FOAF", "RDF", "SKOS", "XSD"]

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

STANDARDS = Path(__file__).parent / "standards"
DCAT_AP = STANDARDS / "dcat-ap-3.0.1"
SCHEMA_ORG_CONTEXT = STANDARDS / "schema.org" / "schemaorgcontext.jsonld"
SCHEMA_ORG_SHAPES = STANDARDS / "schema.org" / "schemaorg-shapes.shacl"
SCHEMA = "http://schema.org/"

RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
CONTENT_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}


@cache
def _shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(DCAT_AP / name, format="turtle")
    return graph


def parse(content: bytes, fmt: str) -> Graph:
    """A served document parsed by rdflib (JSON-LD contexts are inline: nothing is fetched)."""
    graph = Graph()
    graph.parse(data=content, format=RDFLIB_FORMATS[fmt])
    return graph


def _results(graph: Graph, shapes: Graph, severity) -> list[tuple[str, str, str]]:
    _conforms, report, _text = validate(graph, shacl_graph=shapes)
    found = []
    for result in report.subjects(SH.resultSeverity, severity):
        focus = report.value(result, SH.focusNode)
        kind = graph.value(focus, RDF.type)
        found.append((str(kind), str(report.value(result, SH.resultPath)), str(focus)))
    return found


def violations(graph: Graph) -> list[tuple[str, str, str]]:
    """DCAT-AP 3.0.1 Violations (mandatory shapes and class ranges): (class, path, node)."""
    return _results(graph, _shapes("shapes.ttl", "range.ttl"), SH.Violation)


def warnings(graph: Graph) -> Counter:
    """DCAT-AP recommended-property Warnings, counted by (class, path)."""
    found = _results(graph, _shapes("shapes_recommended.ttl"), SH.Warning)
    return Counter((kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1], path) for kind, path, _n in found)


SCHEMA_ORG_URLS = {
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org",
    "http://schema.org/",
    "https://schema.org/docs/jsonldcontext.jsonld",
}


@lru_cache(maxsize=1)
def _schema_org_context() -> dict:
    return json.loads(SCHEMA_ORG_CONTEXT.read_text(encoding="utf-8"))


def offline_loader(url: str, options=None) -> dict:
    """A PyLD document loader that serves only the local schema.org context, never the network."""
    if url not in SCHEMA_ORG_URLS:
        raise jsonld.JsonLdError(f"offline: refusing to load {url}", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": _schema_org_context()}


def expand(document: dict) -> list[dict]:
    """``document`` expanded with the offline schema.org context."""
    return jsonld.expand(document, {"documentLoader": offline_loader})
