"""Reading other catalogues for ``manage.py harvest``: a CKAN site (its Action API, or a JSON
Lines dump such as ``ckanapi dump datasets --all`` writes) and DCAT catalogues (Turtle, JSON-LD
or RDF/XML, following Hydra ``next`` pages).

Nothing here writes: each reader returns a ``Source`` whose entries are plain ``RemoteEntry``
values mapped to the catalogue's fields; ``catalog.services.harvest_entry`` stores them. A
source that cannot be read at all (unreachable, not JSON, not RDF) raises ``HarvestError``
before anything is written; an entry that cannot be mapped carries its ``problem``.

What a source may make the harvest do is bounded: only http(s) addresses on the source's own
host are fetched (next pages and redirects included, never ``file:`` or another host); a
JSON-LD document naming a remote ``@context`` is refused rather than letting rdflib fetch it;
an XML document with a DOCTYPE (and so entity declarations) is refused before rdflib's parser
sees it, so entity expansion ("billion laughs") cannot happen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS

from catalog.ckan.serializers import LICENSES, license_texts
from catalog.dcat import ACCESS_RIGHTS, FREQUENCIES, HYDRA
from catalog.models import Distribution, UpdateCycle
from catalog.validators import is_web_iri
from grading.grades import Tier

TIMEOUT = 30  # seconds per request
MAX_PAGES = 10_000  # a paging loop that never ends is the source's fault, not ours
CKAN_PAGE_SIZE = 100
URL_MAX = Distribution._meta.get_field("url").max_length
RDF_FORMATS = ("turtle", "json-ld", "xml")
RDF_ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
# EU access-right code -> tier (PUBLIC -> open, RESTRICTED -> conditional, NON_PUBLIC ->
# restricted), from the mapping the portal's own DCAT export uses.
TIERS_BY_RIGHT = {str(iri).rsplit("/", 1)[-1]: tier for tier, iri in ACCESS_RIGHTS.items()}
CYCLES_BY_FREQUENCY = {code: cycle for cycle, code in FREQUENCIES.items()}
_CODE_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class HarvestError(Exception):
    """A source that cannot be read at all; nothing of it is imported."""


@dataclass
class Link:
    """A distribution recorded by its address (never downloaded)."""

    title: str
    url: str
    format: str
    media_type: str = ""
    kind: str = Distribution.Kind.LINK


@dataclass
class RemoteEntry:
    """One dataset of a source, mapped to the catalogue's fields."""

    remote_id: str
    name: str = ""
    title: str = ""
    title_en: str = ""
    abstract: str = ""
    abstract_en: str = ""
    keywords: list[str] = field(default_factory=list)
    format: str = "OTHER"
    update_cycle: str = UpdateCycle.IRREGULAR
    issued: dt.date | None = None
    modified: dt.date | None = None
    license: str = ""
    tier: str = Tier.CONDITIONAL
    themes: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problem: str = ""

    def metadata(self) -> dict:
        """The entry's values for ``resource_create``/``resource_update`` (theme aside)."""
        values = {
            "title": self.title[:300],
            "title_en": self.title_en[:300],
            "abstract": self.abstract or self.title,
            "abstract_en": self.abstract_en,
            "keywords": _keywords(self.keywords),
            "format": self.format[:20] or "OTHER",
            "update_cycle": self.update_cycle,
            "issued": self.issued,
            "license": self.license[:200],
            "tier": self.tier,
        }
        if self.modified:
            values["modified"] = self.modified
        return values

    def content_hash(self, theme_code: str) -> str:
        """A hash of everything imported from the entry, to tell a changed entry."""
        text = json.dumps([asdict(self), theme_code], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Source:
    identity: str
    kind: str
    entries: list[RemoteEntry]


def _keywords(words: Iterable[str]) -> str:
    """Comma-separated keywords, as many whole ones as fit the field."""
    kept: list[str] = []
    for word in (w.replace(",", " ").strip() for w in words):
        if word and len(", ".join([*kept, word])) <= 500:
            kept.append(word)
    return ", ".join(kept)


def resource_code(source: str, entry: RemoteEntry, *, hashed: bool = False) -> str:
    """A catalogue code derived from the source and the entry alone, so a re-run finds the
    same one: a prefix from the source, then the entry's own name where it is short and
    plain, else a hash of its identity (also when ``hashed``, e.g. the plain one is taken)."""
    prefix = "H" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:6]
    name = _CODE_SAFE.sub("-", entry.name).strip("-")
    if hashed or not name or len(prefix) + 1 + len(name) > 64:
        name = hashlib.sha256(entry.remote_id.encode("utf-8")).hexdigest()[:20]
    return f"{prefix}-{name}"


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def _origin(url: str) -> tuple[str, int | None] | None:
    """The host and explicit port of an http(s) address, or None for any other address."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.lower(), port


def same_host(url: str, source: str) -> bool:
    """Whether ``url`` is an http(s) address on the host (and port) of ``source``."""
    origin = _origin(url)
    return origin is not None and origin == _origin(source)


class _SameHostRedirects(HTTPRedirectHandler):
    """Follows a redirect only to an http(s) address on the host first asked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not same_host(newurl, req.full_url):
            raise URLError(_("redirected off the source's host to %(url)s") % {"url": newurl})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, accept: str) -> tuple[bytes, str]:
    """The body and content type at ``url`` (http or https only; redirects stay on its host);
    ``HarvestError`` if it cannot be read."""
    if _origin(url) is None:
        raise HarvestError(
            _("Refused to read %(url)s: only http and https addresses are fetched.") % {"url": url}
        )
    request = Request(url, headers={"Accept": accept, "User-Agent": "portal-harvest/1"})
    try:
        with build_opener(_SameHostRedirects).open(request, timeout=TIMEOUT) as answer:
            return answer.read(), answer.headers.get("Content-Type", "")
    except (URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise HarvestError(
            _("Cannot read %(url)s: %(reason)s") % {"url": url, "reason": reason}
        ) from exc


def _read_file(location: str) -> bytes:
    try:
        return Path(location).read_bytes()
    except OSError as exc:
        raise HarvestError(
            _("Cannot read the file %(path)s: %(reason)s")
            % {"path": location, "reason": exc.strerror or exc}
        ) from exc


def _identity(location: str, given: str = "") -> str:
    if given:
        return given
    return location if _is_url(location) else Path(location).resolve().as_uri()


def _date(value) -> dt.date | None:
    """A date from an ISO date or date-time (text or rdflib's value), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _web_link(url, **values) -> Link | None:
    """A link distribution for ``url`` if it is a web address the catalogue can hold (a clean
    http(s) IRI: no blanks, quotes or angle brackets)."""
    url = str(url or "").strip()
    if not is_web_iri(url) or len(url) > URL_MAX:
        return None
    try:
        URLValidator()(url)
    except ValidationError:
        return None
    return Link(url=url, **values)


# ---------------------------------------------------------------------------------------------
# CKAN
# ---------------------------------------------------------------------------------------------


def read_ckan(location: str, *, identity: str = "", page_size: int = CKAN_PAGE_SIZE) -> Source:
    """Every dataset of a CKAN site (``package_search`` pages) or a JSON Lines dump file."""
    if _is_url(location):
        packages = list(_ckan_pages(location, page_size))
    else:
        packages = list(_json_lines(_read_file(location), location))
    entries = [ckan_entry(package) for package in packages]
    return Source(_identity(location.rstrip("/"), identity), "CKAN", entries)


def _json_lines(data: bytes, location: str) -> Iterator:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HarvestError(_("%(source)s is not UTF-8 text.") % {"source": location}) from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            raise HarvestError(
                _("%(source)s is not JSON Lines: line %(line)d is not JSON.")
                % {"source": location, "line": number}
            ) from exc


def _ckan_pages(url: str, page_size: int) -> Iterator:
    base = url.rstrip("/").split("/api/", 1)[0]
    start, count = 0, None
    for _page in range(MAX_PAGES):
        query = urlencode({"rows": page_size, "start": start, "sort": "name asc"})
        page_url = f"{base}/api/3/action/package_search?{query}"
        results, count = _ckan_result(page_url, fetch(page_url, "application/json")[0])
        yield from results
        start += len(results)
        if not results or start >= count:
            return


def _ckan_result(url: str, body: bytes) -> tuple[list, int]:
    try:
        answer = json.loads(body.decode("utf-8"))
        result = answer["result"] if answer.get("success") is True else None
        results, count = result["results"], int(result["count"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise HarvestError(
            _("%(url)s did not answer as a CKAN Action API (package_search).") % {"url": url}
        ) from exc
    if not isinstance(results, list):
        raise HarvestError(
            _("%(url)s did not answer as a CKAN Action API (package_search).") % {"url": url}
        )
    return results, count


def ckan_entry(package) -> RemoteEntry:
    """A CKAN package dictionary as an entry (the portal's own extras are read back too)."""
    if not isinstance(package, dict):
        return RemoteEntry(remote_id="?", problem=_("Not a CKAN package (a JSON object)."))
    remote_id = str(package.get("id") or package.get("name") or "")
    if not remote_id:
        return RemoteEntry(remote_id="?", problem=_("The package has neither id nor name."))
    extras = _ckan_extras(package.get("extras"))
    entry = RemoteEntry(remote_id=remote_id, name=str(package.get("name") or remote_id))
    entry.title = _text(package.get("title")) or entry.name
    entry.title_en = _text(extras.get("title_en"))
    entry.abstract = _text(package.get("notes"))
    entry.abstract_en = _text(extras.get("notes_en"))
    entry.keywords = [_text(_name(tag)) for tag in _list(package.get("tags"))]
    entry.themes = [_text(_name(group)) for group in _list(package.get("groups"))]
    entry.update_cycle = _choice(extras.get("update_cycle"), UpdateCycle, entry.update_cycle)
    entry.issued = _date(extras.get("issued") or package.get("metadata_created"))
    entry.modified = _date(extras.get("modified") or package.get("metadata_modified"))
    entry.license = _ckan_licence(package)
    entry.tier = _ckan_tier(package, extras)
    entry.links = [link for r in _list(package.get("resources")) if (link := _ckan_link(r))]
    formats = [_text(r.get("format")) for r in _list(package.get("resources")) if _is_dict(r)]
    entry.format = next((f.upper() for f in formats if f), "OTHER")
    return entry


def _is_dict(value) -> bool:
    return isinstance(value, dict)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _name(item) -> str:
    return item.get("name", "") if isinstance(item, dict) else ""


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _choice(value, choices, default: str) -> str:
    return value if value in choices.values else default


def _ckan_extras(extras) -> dict:
    pairs = (e for e in _list(extras) if isinstance(e, dict) and "key" in e)
    return {str(e["key"]): e.get("value") for e in pairs}


def _ckan_licence(package: dict) -> str:
    licence_id = _text(package.get("license_id"))
    if licence_id in {item.id for item in LICENSES.values()}:
        return license_texts(licence_id)[0]
    return _text(package.get("license_title")) or licence_id


def _ckan_tier(package: dict, extras: dict) -> str:
    """The portal's own ``tier`` extra when there is one; else CKAN's ``private`` (a private
    dataset is not public: restricted; a public one: open); else conditional."""
    if extras.get("tier") in Tier.values:
        return extras["tier"]
    private = package.get("private")
    if private is True:
        return Tier.RESTRICTED
    return Tier.OPEN if private is False else Tier.CONDITIONAL


def _ckan_link(resource) -> Link | None:
    if not isinstance(resource, dict):
        return None
    fmt = _text(resource.get("format")).upper()[:20] or "OTHER"
    api = resource.get("resource_type") == "api"
    return _web_link(
        resource.get("url"),
        title=(_text(resource.get("name")) or fmt)[:300],
        format=fmt,
        media_type=_text(resource.get("mimetype"))[:100],
        kind=Distribution.Kind.API if api else Distribution.Kind.LINK,
    )


# ---------------------------------------------------------------------------------------------
# DCAT
# ---------------------------------------------------------------------------------------------


def read_dcat(location: str, *, identity: str = "") -> Source:
    """Every ``dcat:Dataset`` of a DCAT catalogue file, or of a URL and its Hydra next pages."""
    graph = Graph()
    if _is_url(location):
        seen: set[str] = set()
        url: str | None = location
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            body, content_type = fetch(url, RDF_ACCEPT)
            page = _parse_rdf(body, url, _rdf_format(content_type, url))
            graph += page
            url = _next_page(page, url, location)
    else:
        graph = _parse_rdf(_read_file(location), location, _rdf_format("", location))
    if not any(graph.subjects(RDF.type, DCAT.Catalog)) and not any(
        graph.subjects(RDF.type, DCAT.Dataset)
    ):
        raise HarvestError(
            _("%(source)s holds no DCAT catalogue or dataset.") % {"source": location}
        )
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    entries = [dcat_entry(graph, node) for node in datasets]
    return Source(_identity(location, identity), "DCAT", entries)


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
    entry.issued = _date(_value(graph.value(node, DCTERMS.issued)))
    entry.modified = _date(_value(graph.value(node, DCTERMS.modified)))
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
    return _web_link(
        url,
        title=(title or fmt)[:300],
        format=fmt,
        media_type=media,
        kind=Distribution.Kind.API if api else Distribution.Kind.LINK,
    )
