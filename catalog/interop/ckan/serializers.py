"""The mapping from the catalogue to CKAN's dictionaries, in one place.

| CKAN | portal |
|---|---|
| package (dataset) | data resource; ``name`` is the catalogue code, ``notes`` the abstract |
| resource | distribution (file, API or link) |
| organization | providing organization (``name`` is its short code) |
| group | theme (``name`` is its code); an entry belongs to its theme and the theme's parent |
| tag | keyword |
| ``private`` | the entry is not public: the rule-book shows it only to some callers |
| ``state`` | published → active, draft/submitted → draft, withdrawn → deleted |
| extras | openness tier, security grade (to callers the rule-book lets see grades), update
  cycle, issued/modified dates, coverage, record count, conditions of access, English texts |

The functions present what the selectors and the rule-book decided (``may_download``,
``is_public``, ``show_grades``); they never decide access themselves. A stored address that is
not a clean http(s) IRI is given as empty rather than passed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.urls import reverse

from catalog.models import Distribution, Organization, Resource, Theme
from catalog.validators import web_iri
from grading import policy
from portal import links

STATES = {
    Resource.Status.PUBLISHED: "active",
    Resource.Status.DRAFT: "draft",
    Resource.Status.SUBMITTED: "draft",
    Resource.Status.WITHDRAWN: "deleted",
}
STATUSES_BY_STATE = {
    state: [status for status, name in STATES.items() if name == state]
    for state in set(STATES.values())
}


@dataclass(frozen=True)
class License:
    id: str
    title: str
    url: str
    is_open: bool


# Licence texts the catalogue uses, as CKAN's default licence register names them.
LICENSES = {
    "CC BY 4.0": License(
        id="cc-by",
        title="Creative Commons Attribution",
        url="http://www.opendefinition.org/licenses/cc-by",
        is_open=True,
    ),
    "": License("notspecified", "License not specified", "", False),
}


def license_for(text: str) -> License:
    """CKAN's licence fields for a licence text; an unknown text is its own id and title."""
    return LICENSES.get(text) or License(text, text, "", False)


def license_texts(license_id: str) -> list[str]:
    """The licence texts that a CKAN ``license_id`` stands for."""
    known = [text for text, item in LICENSES.items() if item.id == license_id]
    return known or [license_id]


def timestamp(value: datetime | date | None) -> str | None:
    """CKAN's timestamp form: ISO 8601 in UTC without an offset."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return datetime(value.year, value.month, value.day).isoformat()


def organization_dict(organization: Organization, *, package_count: int | None = None) -> dict:
    """An organization as CKAN shows it inside packages and in organization lists."""
    result = {
        "id": str(organization.pk),
        "name": organization.code,
        "title": organization.name,
        "display_name": organization.name,
        "type": "organization",
        "description": organization.description,
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def organization_extras(organization: Organization) -> list[dict]:
    """The organization's own fields that CKAN has no place for."""
    values = {
        "kind": organization.kind,
        "title_en": organization.name_en,
        "region": organization.region,
        "homepage": web_iri(organization.homepage),
        "unified_social_credit_code": organization.credit_code or "",
    }
    return _extras(values)


def group_dict(theme: Theme, *, package_count: int | None = None) -> dict:
    """A theme as a CKAN group."""
    result = {
        "id": str(theme.pk),
        "name": theme.code,
        "title": theme.name,
        "display_name": theme.name,
        "type": "group",
        "description": theme.description,
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_extras(theme: Theme) -> list[dict]:
    """The theme's own fields that CKAN has no place for."""
    return _extras({"title_en": theme.name_en, "parent": theme.parent.code if theme.parent else ""})


def tag_dict(name: str) -> dict:
    """A keyword as a CKAN tag (keywords have no ids of their own: the id is the name)."""
    return {
        "id": name,
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def resource_dict(
    distribution: Distribution, *, resource: Resource, position: int, request, access_note: str
) -> dict:
    """A distribution as a CKAN resource. A stored file's ``url`` is the policy-checked download
    link, present only when the caller may download (``resource.may_download``) and the entry's
    rule covers the file (not one graded above the entry's grade, which stays with the agency);
    otherwise it is empty and ``access_note`` says how to get access."""
    url = web_iri(distribution.url) or ""
    if distribution.kind == Distribution.Kind.FILE and distribution.file:
        url = ""
        if policy.offers_download_link(resource, distribution):
            path = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
            url = links.absolute(path)
        elif resource.may_download:
            access_note = policy.file_denial_message(request.user, resource)
    result = {
        "id": str(distribution.pk),
        "package_id": str(resource.pk),
        "name": distribution.title,
        "description": "",
        "format": distribution.format,
        "mimetype": distribution.media_type or None,
        "size": distribution.byte_size,
        "hash": distribution.sha256,
        "url": url,
        "url_type": "upload" if distribution.kind == Distribution.Kind.FILE else None,
        "resource_type": distribution.kind,
        "created": timestamp(distribution.created_at),
        "last_modified": None,
        "metadata_modified": timestamp(distribution.created_at),
        "position": position,
        "state": "active",
    }
    if not url and distribution.kind == Distribution.Kind.FILE:
        result["access_note"] = access_note
    return result


def _extras(values: dict[str, Any]) -> list[dict]:
    return [
        {"key": key, "value": str(value)}
        for key, value in sorted(values.items())
        if value not in (None, "")
    ]


def package_extras(resource: Resource, *, show_grade: bool) -> list[dict]:
    """The entry's fields that CKAN has no place for, as CKAN's ``extras`` (sorted by key)."""
    values = {
        "tier": resource.tier,
        "update_cycle": resource.update_cycle,
        "issued": resource.issued.isoformat() if resource.issued else None,
        "modified": resource.modified.isoformat(),
        "spatial_text": resource.spatial,
        "temporal_coverage": resource.temporal,
        "record_count": resource.record_count,
        "conditions_of_access": resource.open_conditions,
        "authorized_operation": "true" if resource.authorized_operation else "false",
        "title_en": resource.title_en,
        "notes_en": resource.abstract_en,
    }
    if show_grade:
        values["security_grade"] = resource.grade
    return _extras(values)


def _groups(theme: Theme) -> list[dict]:
    themes = [theme] + ([theme.parent] if theme.parent_id else [])
    return [
        {key: item[key] for key in ("id", "name", "title", "display_name", "description")}
        | {"image_display_url": ""}
        for item in map(group_dict, themes)
    ]


def package_dict(
    resource: Resource, *, request, show_grade: bool, access_note: str
) -> dict[str, Any]:
    """A data resource as a CKAN package. ``resource`` comes from the CKAN selectors: with
    ``may_download`` and ``is_public`` from the rule-book, its provider, theme (and parent) and
    distributions loaded."""
    license_ = license_for(resource.license)
    tags = [tag_dict(name) for name in dict.fromkeys(resource.keyword_list)]
    resources = [
        resource_dict(d, resource=resource, position=i, request=request, access_note=access_note)
        for i, d in enumerate(resource.distributions.all())
    ]
    page = links.absolute(reverse("catalog:resource-detail", args=[resource.pk]))
    return {
        "id": str(resource.pk),
        "name": resource.code,
        "title": resource.title,
        "notes": resource.abstract,
        "url": page,
        "type": "dataset",
        "state": STATES.get(resource.status, "draft"),
        "private": not resource.is_public,
        "version": None,
        "author": None,
        "author_email": None,
        "maintainer": None,
        "maintainer_email": None,
        "creator_user_id": None,
        "license_id": license_.id,
        "license_title": license_.title,
        "license_url": license_.url or None,
        "isopen": license_.is_open,
        "metadata_created": timestamp(resource.created_at),
        "metadata_modified": timestamp(resource.updated_at),
        "owner_org": str(resource.provider_id),
        "organization": organization_dict(resource.provider),
        "groups": _groups(resource.theme),
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": package_extras(resource, show_grade=show_grade),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
