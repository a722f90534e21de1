"""The schema.org ``Dataset`` embedded in each resource page (JSON-LD), for search engines.

Built from the entry's own metadata in the page's language. What the caller may download was
decided by the policy (``may_download``, ``public_download`` from the selector): a
``DataDownload`` is listed only for files this caller may download. Texts are stripped of
control characters and an organization's homepage that is not a clean http(s) address is left
out, so stored values cannot spoil the document.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.interop.dcat import LICENCES, downloadable_file
from catalog.interop.periods import parse_period
from catalog.models import Organization
from catalog.validators import plain_data, web_iri
from grading.grades import TIER_MEANING

DESCRIPTION_MIN, DESCRIPTION_MAX = 50, 5000


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _join(items) -> str:
    return (", " if _english() else "、").join(str(item) for item in items if item)


def _padding(resource) -> list[str]:
    """Sentences about the entry, from its own metadata, to fill out a short abstract."""
    fields = [f.name_en if _english() else f.name for f in resource.fields.all()]
    coverage = [resource.spatial, resource.temporal]
    sentences = [
        fields and _("Data fields: %(fields)s.") % {"fields": _join(fields)},
        _("Provided by %(provider)s.") % {"provider": resource.provider.display_name},
        _("Theme: %(theme)s.") % {"theme": resource.theme.display_name},
        resource.keyword_list
        and _("Keywords: %(keywords)s.") % {"keywords": _join(resource.keyword_list)},
        any(coverage) and _("Coverage: %(coverage)s.") % {"coverage": _join(coverage)},
        _("Updated: %(cycle)s; format: %(format)s.")
        % {"cycle": resource.get_update_cycle_display(), "format": resource.format},
        str(TIER_MEANING.get(resource.tier, "")),
    ]
    return [sentence for sentence in sentences if sentence]


def description(resource) -> str:
    """The abstract, filled out from the entry's own metadata when it is shorter than 50
    characters, and cut to 5,000 characters when longer."""
    text = resource.display_abstract.strip()
    separator = " " if _english() else ""
    for sentence in _padding(resource):
        if len(text) >= DESCRIPTION_MIN:
            break
        text = f"{text}{separator}{sentence}" if text else sentence
    if len(text) > DESCRIPTION_MAX:
        text = text[: DESCRIPTION_MAX - 1].rstrip() + "…"
    return text


def _organization(org: Organization, base_url: str) -> dict:
    page = base_url + reverse("catalog:organization-detail", args=[org.code])
    kind = "GovernmentOrganization" if org.kind == Organization.Kind.AGENCY else "Organization"
    found = {"@type": kind, "@id": f"{page}#organization", "name": org.display_name, "url": page}
    if web_iri(org.homepage):
        found["sameAs"] = org.homepage
    return found


def _licence(text: str):
    known = LICENCES.get(" ".join(text.lower().split()))
    return known[0] if known else {"@type": "CreativeWork", "name": text.strip()}


def _variables(resource) -> list[dict]:
    variables = []
    for field in resource.fields.all():
        variable = {
            "@type": "PropertyValue",
            "name": field.name_en if _english() else field.name,
            "alternateName": field.name if _english() else field.name_en,
        }
        if field.description:
            variable["description"] = field.description
        variables.append(variable)
    return variables


def _downloads(resource, base_url: str) -> list[dict]:
    downloads = []
    for distribution in resource.distributions.all():
        if not downloadable_file(resource, distribution):
            continue
        path = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
        download = {
            "@type": "DataDownload",
            "name": distribution.title,
            "contentUrl": base_url + path,
            "encodingFormat": distribution.media_type or distribution.format,
        }
        if distribution.byte_size is not None:
            download["contentSize"] = f"{distribution.byte_size} B"
        downloads.append(download)
    return downloads


def _access(resource) -> dict:
    """Licence, conditions of access and whether anyone may have the data without asking."""
    found = {"isAccessibleForFree": bool(getattr(resource, "public_download", False))}
    if resource.license.strip():
        found["license"] = _licence(resource.license)
    if resource.open_conditions:
        found["conditionsOfAccess"] = resource.open_conditions
    elif not found["isAccessibleForFree"]:
        found["conditionsOfAccess"] = str(TIER_MEANING.get(resource.tier, ""))
    return found


def _coverage(resource) -> dict:
    found = {}
    period = parse_period(resource.temporal)
    if period is not None:
        found["temporalCoverage"] = period.iso8601()
    if resource.spatial:
        found["spatialCoverage"] = {"@type": "Place", "name": resource.spatial}
    return found


def dataset(resource, *, base_url: str) -> dict:
    """The schema.org ``Dataset`` of ``resource`` (from ``selectors.resource_detail``)."""
    base_url = base_url.rstrip("/")
    page = base_url + reverse("catalog:resource-detail", args=[resource.pk])
    other_title = resource.title if _english() else resource.title_en
    organization = _organization(resource.provider, base_url)
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{page}#dataset",
        "name": resource.display_title,
        "description": description(resource),
        "url": page,
        "identifier": resource.code,
        "keywords": resource.keyword_list,
        "creator": organization,
        "publisher": organization,
        "dateModified": resource.modified.isoformat(),
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "@id": f"{base_url}/#catalog",
            "name": str(settings.PORTAL_NAME),
            "url": f"{base_url}/",
        },
        **_access(resource),
        **_coverage(resource),
    }
    if other_title and other_title != resource.display_title:
        data["alternateName"] = other_title
    if resource.issued:
        data["datePublished"] = resource.issued.isoformat()
    if variables := _variables(resource):
        data["variableMeasured"] = variables
    if downloads := _downloads(resource, base_url):
        data["distribution"] = downloads
    return plain_data(data)
