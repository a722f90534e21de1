"""Reading other catalogues for ``manage.py harvest``: a CKAN site (its Action API, or a JSON
Lines dump such as ``ckanapi dump datasets --all`` writes; ``ckan.py``) and DCAT catalogues
(Turtle, JSON-LD or RDF/XML, following Hydra ``next`` pages; ``dcat.py``). This module holds
what both readers share: the entries they return, the bounded fetch and the value helpers.

Nothing here writes: each reader returns a ``Source`` whose entries are plain ``RemoteEntry``
values mapped to the catalogue's fields;
``catalog.interop.harvest.services.harvest_entry`` stores them. A
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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from catalog.interop.dcat import ACCESS_RIGHTS, FREQUENCIES
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


def is_url(location: str) -> bool:
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


def read_file(location: str) -> bytes:
    try:
        return Path(location).read_bytes()
    except OSError as exc:
        raise HarvestError(
            _("Cannot read the file %(path)s: %(reason)s")
            % {"path": location, "reason": exc.strerror or exc}
        ) from exc


def source_identity(location: str, given: str = "") -> str:
    if given:
        return given
    return location if is_url(location) else Path(location).resolve().as_uri()


def to_date(value) -> dt.date | None:
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


def web_link(url, **values) -> Link | None:
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
