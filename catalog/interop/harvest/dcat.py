"""Reading a DCAT catalogue (Turtle, JSON-LD or RDF/XML, paged with Hydra) into ``RemoteEntry``
values."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from xml.parsers import expat

from django.utils.translation import gettext as _
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS

from catalog.interop.dcat import HYDRA
from catalog.interop.harvest.fetch import (
    CYCLES_BY_FREQUENCY,
    MAX_PAGES,
    RDF_ACCEPT,
    RDF_FORMATS,
    TIERS_BY_RIGHT,
    HarvestError,
    Link,
    RemoteEntry,
    Source,
    fetch,
    is_url,
    read_file,
    same_host,
    source_identity,
    to_date,
    web_link,
)
from catalog.models import Distribution
from grading.grades import Tier


def read_dcat(location: str, *, identity: str = "") -> Source:
    """Every ``dcat:Dataset`` of a DCAT catalogue file, or of a URL and its Hydra next pages."""
    graph = Graph()
    if is_url(location):
        seen: set[str] = set()
        url: str | None = location
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            body, content_type = fetch(url, RDF_ACCEPT)
            page = _parse_rdf(body, url, _rdf_format(content_type, url))
            graph += page
            url = _next_page(page, url, location)
    else:
        graph = _parse_rdf(read_file(location), location, _rdf_format("", location))
    if not any(graph.subjects(RDF.type, DCAT.Catalog)) and not any(
        graph.subjects(RDF.type, DCAT.Dataset)
    ):
        raise HarvestError(
            _("%(source)s holds no DCAT catalogue or dataset.") % {"source": location}
        )
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    entries = [dcat_entry(graph, node) for node in datasets]
    return Source(source_identity(location, identity), "DCAT", entries)


def _rdf_format(content_type: str, location: str) -> str | None:
    kind = content_type.split(";")[0].strip().lower()
    by_type = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
    by_type |= {"application/rdf+xml": "xml", "application/json": "json-ld"}
    if kind in by_type:
        return by_type[kind]
    suffix = Path(urlsplit(location).path).suffix.lower()
    by_suffix = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld"}
    by_suffix |= {".rdf": "xml", ".xml": "xml", ".owl": "xml"}
    return by_suffix.get(suffix)


def _parse_rdf(data: bytes, location: str, fmt: str | None) -> Graph:
    """``data`` parsed as ``fmt``, or as each RDF syntax in turn when it is not known.

    A JSON document naming a remote context is refused whatever the format; an XML document
    with a DOCTYPE is refused when it was served or named as RDF/XML, and is otherwise simply
    not taken for RDF/XML."""
    _refuse_remote_context(data, location)
    for candidate in [fmt] if fmt else RDF_FORMATS:
        if candidate == "xml" and _has_doctype(data):
            if fmt:
                raise HarvestError(
                    _(
                        "%(source)s was refused: it declares a DOCTYPE; XML with document type "
                        "declarations or entities is never parsed."
                    )
                    % {"source": location}
                )
            continue
        graph = Graph()
        try:
            return graph.parse(data=data, format=candidate, publicID=location)
        except Exception:  # noqa: BLE001 (rdflib's parsers raise many kinds of error)
            continue
    raise HarvestError(
        _("%(source)s is not RDF (Turtle, JSON-LD or RDF/XML).") % {"source": location}
    )


class _Doctype(Exception):
    pass


def _has_doctype(data: bytes) -> bool:
    """Whether expat meets a DOCTYPE in ``data``. The pass stops at the declaration, before
    any entity is defined or expanded, in whatever encoding the document declares."""

    def stop(*_args):
        raise _Doctype

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = stop
    parser.EntityDeclHandler = stop
    try:
        parser.Parse(data, True)
    except _Doctype:
        return True
    except (expat.ExpatError, ValueError, LookupError):
        return False  # not well-formed XML: rdflib's parser will say it is not RDF/XML
    return False


def _refuse_remote_context(data: bytes, location: str) -> None:
    """``HarvestError`` if ``data`` is JSON whose ``@context`` (anywhere, scoped contexts
    included) names a document instead of holding its terms, or ``@import``s one: rdflib's
    JSON-LD parser would fetch it, from any host or the local disk."""
    try:
        document = json.loads(data.removeprefix(b"\xef\xbb\xbf"))
        remote = _names_a_context(document)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return  # not JSON (rdflib's JSON-LD parser will not read it either)
    if remote:
        raise HarvestError(
            _(
                "%(source)s was refused: its JSON-LD refers to a remote @context; only inline "
                "contexts are read."
            )
            % {"source": location}
        )


def _names_a_context(node) -> bool:
    if isinstance(node, list):
        return any(_names_a_context(item) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key == "@context" and any(isinstance(c, str) for c in _as_list(value)):
            return True
        if key == "@import" and isinstance(value, str):
            return True
        if _names_a_context(value):
            return True
    return False


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _next_page(page: Graph, url: str, source: str) -> str | None:
    """The Hydra ``next`` (or older ``nextPage``) link of the page at ``url``. A link off the
    source's host, or not http(s) (``file:``, ``ftp:`` …), is refused: a remote catalogue
    must not make the harvest read local files or other servers."""
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for target in page.objects(None, predicate):
            if not isinstance(target, URIRef) or str(target) == url:
                continue
            if not same_host(str(target), source):
                raise HarvestError(
                    _(
                        "Refused the next page %(link)s of %(url)s: only http(s) pages on the "
                        "source's own host are followed."
                    )
                    % {"link": target, "url": url}
                )
            return str(target)
    return None


def _texts(graph: Graph, node, predicate) -> tuple[str, str]:
    """(Chinese or untagged text, English text) of ``predicate``; each falls back on the
    other so a one-language source still fills the required title."""
    values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    english = next((str(v) for v in values if (v.language or "").startswith("en")), "")
    other = next((str(v) for v in values if not (v.language or "").startswith("en")), "")
    return (other or english).strip(), english.strip()


def _code(node) -> str:
    """The last path segment of an IRI (a vocabulary code), or a literal's text."""
    text = str(node or "").rstrip("/")
    return text.rsplit("/", 1)[-1] if isinstance(node, URIRef) else text


def dcat_entry(graph: Graph, node) -> RemoteEntry:
    """A ``dcat:Dataset`` as an entry; its identity is its IRI (or ``dct:identifier``)."""
    identifier = str(graph.value(node, DCTERMS.identifier) or "").strip()
    remote_id = str(node) if isinstance(node, URIRef) else identifier
    if not remote_id:
        return RemoteEntry(remote_id="?", problem=_("A blank dataset node without identifier."))
    entry = RemoteEntry(remote_id=remote_id, name=identifier)
    entry.title, entry.title_en = _texts(graph, node, DCTERMS.title)
    if not entry.title:
        entry.problem = _("The dataset has no title.")
    entry.abstract, entry.abstract_en = _texts(graph, node, DCTERMS.description)
    entry.keywords = sorted(str(k).strip() for k in graph.objects(node, DCAT.keyword))
    entry.issued = to_date(_value(graph.value(node, DCTERMS.issued)))
    entry.modified = to_date(_value(graph.value(node, DCTERMS.modified)))
    frequency = _code(graph.value(node, DCTERMS.accrualPeriodicity))
    entry.update_cycle = CYCLES_BY_FREQUENCY.get(frequency, entry.update_cycle)
    rights = _code(graph.value(node, DCTERMS.accessRights))
    entry.tier = TIERS_BY_RIGHT.get(rights, Tier.CONDITIONAL)
    entry.themes = [_theme_code(graph, theme) for theme in graph.objects(node, DCAT.theme)]
    distributions = sorted(graph.objects(node, DCAT.distribution), key=str)
    entry.links = [link for d in distributions if (link := _dcat_link(graph, d))]
    entry.format = next((link.format for link in entry.links if link.format), "OTHER")
    entry.license = _dcat_licence(graph, [node, *distributions])
    return entry


def _value(literal):
    return literal.toPython() if isinstance(literal, Literal) else literal


def _theme_code(graph: Graph, theme) -> str:
    notation = graph.value(theme, SKOS.notation)
    return str(notation) if notation is not None else _code(theme)


def _dcat_licence(graph: Graph, nodes: list) -> str:
    for node in nodes:
        licence = graph.value(node, DCTERMS.license)
        if licence is not None:
            label = graph.value(licence, RDFS.label)
            return str(label if label is not None else licence).strip()
    return ""


def _dcat_link(graph: Graph, distribution) -> Link | None:
    url = graph.value(distribution, DCAT.downloadURL) or graph.value(distribution, DCAT.accessURL)
    fmt = _code(graph.value(distribution, DCTERMS.format)).upper()[:20] or "OTHER"
    media = str(graph.value(distribution, DCAT.mediaType) or "")
    media = media.split("/media-types/", 1)[-1][:100]
    title, _english = _texts(graph, distribution, DCTERMS.title)
    api = graph.value(distribution, DCAT.accessService) is not None
    return web_link(
        url,
        title=(title or fmt)[:300],
        format=fmt,
        media_type=media,
        kind=Distribution.Kind.API if api else Distribution.Kind.LINK,
    )
