"""The DCAT-AP 3 mapping of both catalogues: every RDF statement the portal publishes is made here.

Input comes from ``catalog.selectors`` (already limited to what the caller may see, with the
caller's ``may_download`` computed by the policy); this module only describes it:

- a resource is a ``dcat:Dataset``; its tier becomes ``dct:accessRights`` from the EU
  access-right vocabulary; its provider a ``foaf:Agent``; its theme a ``skos:Concept``;
- a file, link or API is a ``dcat:Distribution``; ``dcat:downloadURL`` appears only where the
  caller may download; an API is also a ``dcat:DataService`` (``dcat:accessService``);
- a data product is a ``dcat:DataService`` whose sources are the resources it is built on;
- catalogue pages carry Hydra paging terms (``hydra:PartialCollectionView`` and the older
  ``hydra:PagedCollection`` terms that existing DCAT harvesters read).

Chinese and English texts become literals tagged ``@zh`` and ``@en``. IRIs are the portal's
own pages with a fragment (``/resources/1/#dataset``), so each one leads to its page, which
answers with RDF when asked (``Accept: text/turtle``).

Stored values are written again as XML and Turtle, so this module never lets one of them break
a document: control characters are stripped from every literal, and a stored address that is
not a clean http(s) IRI (a ``"`` or ``>`` in it, say) is left out rather than published.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.interop.periods import parse_period
from catalog.models import Distribution, Organization, Theme, UpdateCycle
from catalog.validators import plain_text, web_iri
from grading import policy
from grading.grades import Tier

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"

PREFIXES = {
    "adms": ADMS,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "dct": DCTERMS,
    "foaf": FOAF,
    "hydra": HYDRA,
    "locn": LOCN,
    "rdfs": RDFS,
    "skos": SKOS,
    "spdx": SPDX,
    "vcard": VCARD,
    "xsd": XSD,
}

# Openness tier -> EU access-right vocabulary (a description of the tier, not an access rule).
ACCESS_RIGHTS = {
    Tier.OPEN: URIRef(f"{EU}access-right/PUBLIC"),
    Tier.CONDITIONAL: URIRef(f"{EU}access-right/RESTRICTED"),
    Tier.RESTRICTED: URIRef(f"{EU}access-right/NON_PUBLIC"),
}

FREQUENCIES = {
    UpdateCycle.REALTIME: "UPDATE_CONT",
    UpdateCycle.DAILY: "DAILY",
    UpdateCycle.WEEKLY: "WEEKLY",
    UpdateCycle.MONTHLY: "MONTHLY",
    UpdateCycle.QUARTERLY: "QUARTERLY",
    UpdateCycle.YEARLY: "ANNUAL",
    UpdateCycle.IRREGULAR: "IRREG",
}

# Formats named in the EU file-type vocabulary (the code is the upper-cased format).
FILE_TYPES = frozenset(
    {"CSV", "JSON", "XML", "XLS", "XLSX", "PDF", "ZIP", "TXT", "HTML", "SHP", "GEOJSON", "KML"}
    | {"KMZ", "TIFF", "GEOTIFF", "JPEG", "PNG", "RDF_XML", "RDF_TURTLE", "JSON_LD", "DOCX"}
    | {"DOC", "ODS", "GML", "GPKG", "NETCDF", "PARQUET"}
)

# Licence names as providers write them -> (licence IRI, ADMS licence type).
LICENCES = {
    "cc by 4.0": ("http://creativecommons.org/licenses/by/4.0/", "Attribution"),
    "cc-by-4.0": ("http://creativecommons.org/licenses/by/4.0/", "Attribution"),
    "cc by-sa 4.0": ("http://creativecommons.org/licenses/by-sa/4.0/", "ShareAlike"),
    "cc0 1.0": ("http://creativecommons.org/publicdomain/zero/1.0/", "PublicDomain"),
    "cc0": ("http://creativecommons.org/publicdomain/zero/1.0/", "PublicDomain"),
}
LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution",
    "ShareAlike": "Share alike",
    "PublicDomain": "Public domain",
}

# Agencies of the provincial-level government that runs the portal are regional authorities.
PUBLISHER_TYPES = {
    Organization.Kind.AGENCY: ("RegionalAuthority", "Regional authority"),
    Organization.Kind.ENTERPRISE: ("Company", "Company"),
}

# Both languages of these go into every document.
CATALOG_DESCRIPTION = _(
    "The portal's catalogue of public data resources and of data products built on them."
)
THEME_SCHEME_TITLE = _("Data domains of the portal")

AVAILABLE = DCATAP["availability/AVAILABLE"]
SHA256 = SPDX.checksumAlgorithm_sha256
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class RdfFormat:
    rdflib_name: str
    content_type: str
    extension: str


FORMATS = {
    "ttl": RdfFormat("turtle", "text/turtle; charset=utf-8", "ttl"),
    "jsonld": RdfFormat("json-ld", "application/ld+json", "jsonld"),
    "rdf": RdfFormat("pretty-xml", "application/rdf+xml", "rdf"),
}


def serialize(graph: Graph, fmt: str) -> bytes:
    """``graph`` as Turtle, JSON-LD (compacted with the prefixes above) or RDF/XML."""
    if fmt == "jsonld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()
    return graph.serialize(format=FORMATS[fmt].rdflib_name, encoding="utf-8")


def _in_both(text) -> tuple[str, str]:
    """A lazily translated text in Chinese and in English."""
    with translation.override("zh-hans"):
        chinese = str(text)
    with translation.override("en"):
        english = str(text)
    return chinese, english


class _Describer:
    """Adds statements about catalogue objects to one graph; each node is described once."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        # The plain in-memory store: no named graphs are needed, and it serializes faster.
        self.graph = Graph(store="SimpleMemory")
        self._paths: dict[tuple, str] = {}
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self._done: set[URIRef] = set()

    # -- helpers -----------------------------------------------------------------------------

    def path(self, name: str, *args) -> str:
        """``reverse(name, args=args)``, remembered: a page names the same objects often."""
        key = (name, *args)
        if key not in self._paths:
            self._paths[key] = reverse(name, args=args)
        return self._paths[key]

    def iri(self, path: str, fragment: str = "") -> URIRef:
        return URIRef(f"{self.base}{path}{'#' + fragment if fragment else ''}")

    def add(self, subject, predicate, obj) -> None:
        if isinstance(obj, Literal) and obj.datatype is None:
            # Text from the database: no control character may reach the XML or Turtle.
            obj = Literal(plain_text(obj), lang=obj.language)
        self.graph.add((subject, predicate, obj))

    def texts(self, subject, predicate, chinese: str, english: str = "") -> None:
        if chinese:
            self.add(subject, predicate, Literal(chinese, lang="zh"))
        if english:
            self.add(subject, predicate, Literal(english, lang="en"))

    def first_time(self, node: URIRef) -> bool:
        if node in self._done:
            return False
        self._done.add(node)
        return True

    def typed(self, node: URIRef, *classes) -> URIRef:
        for cls in classes:
            self.add(node, RDF.type, cls)
        return node

    def concept(self, node: URIRef, label: str) -> URIRef:
        """A term of an outside vocabulary, typed and labelled so validators can check it."""
        if self.first_time(node):
            self.typed(node, SKOS.Concept)
            self.add(node, SKOS.prefLabel, Literal(label, lang="en"))
        return node

    # -- shared nodes ------------------------------------------------------------------------

    def agent(self, org: Organization) -> URIRef:
        node = self.iri(self.path("catalog:organization-detail", org.code), "organization")
        if self.first_time(node):
            self.typed(node, FOAF.Agent)
            self.texts(node, FOAF.name, org.name, org.name_en)
            kind = PUBLISHER_TYPES.get(org.kind)
            if kind:
                self.add(node, DCTERMS.type, self.publisher_type(*kind))
            if web_iri(org.homepage):
                homepage = self.typed(URIRef(org.homepage), FOAF.Document)
                self.add(node, FOAF.homepage, homepage)
        return node

    def publisher_type(self, code: str, label: str) -> URIRef:
        return self.concept(URIRef(f"http://purl.org/adms/publishertype/{code}"), label)

    def contact(self, org: Organization) -> URIRef:
        page = self.path("catalog:organization-detail", org.code)
        node = self.iri(page, "contact")
        if self.first_time(node):
            self.typed(node, VCARD.Kind, VCARD.Organization)
            self.texts(node, VCARD.fn, org.name, org.name_en)
            self.add(node, VCARD.hasURL, URIRef(web_iri(org.homepage) or self.iri(page)))
        return node

    def theme(self, theme) -> URIRef:
        node = self.iri(self.path("api:theme-detail", theme.code))
        if self.first_time(node):
            self.typed(node, SKOS.Concept)
            self.texts(node, SKOS.prefLabel, theme.name, theme.name_en)
            self.add(node, SKOS.inScheme, self.theme_scheme())
            self.add(node, SKOS.notation, Literal(theme.code))
            # Only when the selector loaded the parent: a description never costs a query.
            if theme.parent_id and Theme.parent.is_cached(theme):
                self.add(node, SKOS.broader, self.theme(theme.parent))
        return node

    def theme_scheme(self) -> URIRef:
        node = self.iri(self.path("api:theme-list"))
        if self.first_time(node):
            self.typed(node, SKOS.ConceptScheme)
            chinese, english = _in_both(THEME_SCHEME_TITLE)
            self.texts(node, DCTERMS.title, chinese, english)
        return node

    def document(self, url: str) -> URIRef:
        return self.typed(URIRef(url), FOAF.Document)

    # -- resources -----------------------------------------------------------------------------

    def dataset(self, resource) -> URIRef:
        """Describe ``resource`` (from a selector, with ``may_download``) as a dcat:Dataset."""
        page = self.path("catalog:resource-detail", resource.pk)
        node = self.iri(page, "dataset")
        if not self.first_time(node):
            return node
        self.typed(node, DCAT.Dataset)
        self.texts(node, DCTERMS.title, resource.title, resource.title_en)
        abstract = resource.abstract or resource.title
        self.texts(node, DCTERMS.description, abstract, resource.abstract_en)
        self.add(node, DCTERMS.identifier, Literal(resource.code))
        self.add(node, DCAT.landingPage, self.document(self.iri(page)))
        self.add(node, DCTERMS.publisher, self.agent(resource.provider))
        self.add(node, DCAT.contactPoint, self.contact(resource.provider))
        self.add(node, DCAT.theme, self.theme(resource.theme))
        self.keywords(node, resource.keyword_list)
        self.dates(node, resource.issued, resource.modified)
        self.access_rights(node, resource.tier)
        frequency = FREQUENCIES.get(resource.update_cycle)
        if frequency:
            freq_node = self.typed(URIRef(f"{EU}frequency/{frequency}"), DCTERMS.Frequency)
            self.add(node, DCTERMS.accrualPeriodicity, freq_node)
        self.spatial(node, resource.spatial)
        self.temporal(node, resource.temporal)
        for distribution in resource.distributions.all():
            self.add(node, DCAT.distribution, self.distribution(resource, distribution, node))
        return node

    def keywords(self, node, keywords) -> None:
        for keyword in keywords:
            lang = "zh" if _CJK.search(keyword) else None
            self.add(node, DCAT.keyword, Literal(keyword, lang=lang))

    def dates(self, node, issued, modified) -> None:
        if issued:
            self.add(node, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date))
        if modified:
            self.add(node, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date))

    def access_rights(self, node, tier: str) -> None:
        rights = ACCESS_RIGHTS.get(tier)
        if rights is not None:
            self.add(node, DCTERMS.accessRights, self.typed(rights, DCTERMS.RightsStatement))

    def spatial(self, node, text: str) -> None:
        if not text:
            return
        place = self.typed(BNode(), DCTERMS.Location)
        self.add(place, LOCN.geographicName, Literal(text, lang="zh"))
        self.add(node, DCTERMS.spatial, place)

    def temporal(self, node, text: str) -> None:
        found = parse_period(text)
        if found is None:
            return
        period = self.typed(BNode(), DCTERMS.PeriodOfTime)
        for predicate, bound in ((DCAT.startDate, found.start), (DCAT.endDate, found.end)):
            if bound:
                self.add(period, predicate, Literal(bound.value, datatype=XSD[bound.datatype]))
        self.add(node, DCTERMS.temporal, period)

    def distribution(self, resource, distribution, dataset: URIRef) -> URIRef:
        page = self.path("catalog:resource-detail", resource.pk)
        node = self.typed(self.iri(page, f"distribution-{distribution.pk}"), DCAT.Distribution)
        self.texts(node, DCTERMS.title, distribution.title)
        chinese, english = _distribution_description(resource, distribution)
        self.texts(node, DCTERMS.description, chinese, english)
        self.add(node, DCAT.accessURL, URIRef(web_iri(distribution.url) or self.iri(page)))
        if downloadable_file(resource, distribution):
            path = self.path("catalog:distribution-download", resource.pk, distribution.pk)
            self.add(node, DCAT.downloadURL, self.iri(path))
        if distribution.kind == Distribution.Kind.API and web_iri(distribution.url):
            self.add(node, DCAT.accessService, self.api_service(resource, distribution, dataset))
        self.file_facts(node, distribution)
        self.licence(node, resource.license)
        if resource.open_conditions:
            rights = self.typed(BNode(), DCTERMS.RightsStatement)
            self.add(rights, RDFS.label, Literal(resource.open_conditions, lang="zh"))
            self.add(node, DCTERMS.rights, rights)
        if resource.status == "published":
            self.add(node, DCATAP.availability, self.concept(AVAILABLE, "Available"))
        return node

    def file_facts(self, node, distribution) -> None:
        """Format, media type, size and checksum, where the distribution records them."""
        code = distribution.format.strip().upper().replace("-", "_")
        if code in FILE_TYPES:
            file_type = self.typed(URIRef(f"{EU}file-type/{code}"), DCTERMS.MediaTypeOrExtent)
            self.add(node, DCTERMS.format, file_type)
        media_type = distribution.media_type.strip().lower()
        if _MEDIA_TYPE.match(media_type):
            iana = self.typed(URIRef(f"{IANA_MEDIA_TYPES}{media_type}"), DCTERMS.MediaType)
            self.add(node, DCAT.mediaType, iana)
        if distribution.byte_size is not None:
            size = Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)
            self.add(node, DCAT.byteSize, size)
        if re.fullmatch(r"[0-9a-fA-F]{64}", distribution.sha256 or ""):
            checksum = self.typed(BNode(), SPDX.Checksum)
            self.add(checksum, SPDX.algorithm, SHA256)
            value = Literal(distribution.sha256.lower(), datatype=XSD.hexBinary)
            self.add(checksum, SPDX.checksumValue, value)
            self.add(node, SPDX.checksum, checksum)

    def licence(self, node, text: str) -> None:
        if not text.strip():
            return
        known = LICENCES.get(" ".join(text.lower().split()))
        if known:
            licence = self.typed(URIRef(known[0]), DCTERMS.LicenseDocument)
            licence_type = URIRef(f"http://purl.org/adms/licencetype/{known[1]}")
            label = LICENCE_TYPE_LABELS[known[1]]
            self.add(licence, DCTERMS.type, self.concept(licence_type, label))
        else:
            licence = self.typed(BNode(), DCTERMS.LicenseDocument)
        self.add(licence, RDFS.label, Literal(text.strip()))
        self.add(node, DCTERMS.license, licence)

    def api_service(self, resource, distribution, dataset: URIRef) -> URIRef:
        page = self.path("catalog:resource-detail", resource.pk)
        node = self.iri(page, f"service-{distribution.pk}")
        if not self.first_time(node):
            return node
        self.typed(node, DCAT.DataService)
        self.texts(node, DCTERMS.title, distribution.title)
        self.add(node, DCAT.endpointURL, URIRef(distribution.url))
        self.add(node, DCAT.servesDataset, dataset)
        self.add(node, DCTERMS.publisher, self.agent(resource.provider))
        self.add(node, DCAT.contactPoint, self.contact(resource.provider))
        self.add(node, DCAT.theme, self.theme(resource.theme))
        self.keywords(node, resource.keyword_list)
        self.access_rights(node, resource.tier)
        return node

    # -- products ----------------------------------------------------------------------------

    def product(self, product) -> URIRef:
        """Describe a listed data product as a dcat:DataService reached through its page (the
        portal records no separate endpoint for products)."""
        page = self.iri(self.path("catalog:product-detail", product.pk))
        node = self.iri(self.path("catalog:product-detail", product.pk), "service")
        if not self.first_time(node):
            return node
        self.typed(node, DCAT.DataService)
        self.texts(node, DCTERMS.title, product.name, product.name_en)
        self.texts(node, DCTERMS.description, product.description)
        self.add(node, DCTERMS.identifier, Literal(product.code))
        self.add(node, DCAT.endpointURL, page)
        self.add(node, DCAT.landingPage, self.document(page))
        self.add(node, DCTERMS.publisher, self.agent(product.provider))
        self.add(node, DCAT.contactPoint, self.contact(product.provider))
        if product.theme_id:
            self.add(node, DCAT.theme, self.theme(product.theme))
        self.keywords(node, [str(s) for s in product.scenarios or [] if str(s).strip()])
        for source in product.source_resources.all():
            source_page = self.path("catalog:resource-detail", source.pk)
            self.add(node, DCTERMS.source, self.iri(source_page, "dataset"))
        return node

    # -- the catalogue ---------------------------------------------------------------------------

    def catalog(self, modified) -> URIRef:
        node = self.iri("/", "catalog")
        self.typed(node, DCAT.Catalog)
        title_zh, title_en = _in_both(settings.PORTAL_NAME)
        self.texts(node, DCTERMS.title, title_zh, title_en)
        self.texts(node, DCTERMS.description, *_in_both(CATALOG_DESCRIPTION))
        self.add(node, FOAF.homepage, self.document(self.iri("/")))
        # The portal is run by the same government as its agencies: a regional authority.
        publisher = self.typed(self.iri(self.path("about"), "publisher"), FOAF.Agent)
        self.texts(publisher, FOAF.name, title_zh, title_en)
        publisher_type = PUBLISHER_TYPES[Organization.Kind.AGENCY]
        self.add(publisher, DCTERMS.type, self.publisher_type(*publisher_type))
        self.add(node, DCTERMS.publisher, publisher)
        self.add(node, DCAT.themeTaxonomy, self.theme_scheme())
        for code in ("ZHO", "ENG"):
            language = self.typed(URIRef(f"{EU}language/{code}"), DCTERMS.LinguisticSystem)
            self.add(node, DCTERMS.language, language)
        if modified:
            self.add(node, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date))
        return node


def _distribution_description(resource, distribution) -> tuple[str, str]:
    """A short description in both languages, built from the distribution's own facts."""
    kind_zh, kind_en = _in_both(Distribution.Kind(distribution.kind).label)
    chinese = f"“{resource.title}”的{kind_zh}（{distribution.format}）"
    english = f"{kind_en} ({distribution.format}) of “{resource.title_en}”"
    return chinese, english if resource.title_en else ""


def downloadable_file(resource, distribution) -> bool:
    """A stored file the caller may download (``may_download`` was computed by the policy)
    and that the entry's rule covers (not an upload graded above the entry's grade)."""
    return policy.offers_download_link(resource, distribution)


def resource_graph(resource, *, base_url: str) -> Graph:
    """The DCAT-AP description of one resource (from ``selectors.resource_rdf``)."""
    describer = _Describer(base_url)
    describer.dataset(resource)
    return describer.graph


def catalog_graph(page, *, base_url: str, page_url: Callable[[int], str]) -> Graph:
    """One page (``selectors.CatalogPage``) of the catalogue, with Hydra paging links built by
    ``page_url(number)``."""
    describer = _Describer(base_url)
    catalog = describer.catalog(page.modified)
    for resource in page.resources:
        describer.add(catalog, DCAT.dataset, describer.dataset(resource))
    for product in page.products:
        describer.add(catalog, DCAT.service, describer.product(product))
    _paging(describer, catalog, page, page_url)
    return describer.graph


def _paging(describer: _Describer, catalog: URIRef, page, page_url) -> None:
    view = URIRef(page_url(page.number))
    describer.typed(view, HYDRA.PartialCollectionView, HYDRA.PagedCollection)
    describer.add(catalog, HYDRA.view, view)
    describer.add(catalog, HYDRA.totalItems, Literal(page.total, datatype=XSD.nonNegativeInteger))
    describer.add(view, HYDRA.totalItems, Literal(page.total, datatype=XSD.nonNegativeInteger))
    describer.add(view, HYDRA.itemsPerPage, Literal(page.per_page, datatype=XSD.nonNegativeInteger))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = page.number - 1
    if page.number < page.last:
        links["next"] = page.number + 1
    for name, number in links.items():
        describer.add(view, HYDRA[name], URIRef(page_url(number)))
        describer.add(view, HYDRA[f"{name}Page"], URIRef(page_url(number)))
