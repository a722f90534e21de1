"""Reading a CKAN catalogue (its action API, or a JSON-lines dump) into ``RemoteEntry`` values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from catalog.interop.ckan.serializers import LICENSES, license_texts
from catalog.interop.harvest.fetch import (
    CKAN_PAGE_SIZE,
    MAX_PAGES,
    HarvestError,
    Link,
    RemoteEntry,
    Source,
    fetch,
    is_url,
    read_file,
    source_identity,
    to_date,
    web_link,
)
from catalog.models import Distribution, UpdateCycle
from grading.grades import Tier


def read_ckan(location: str, *, identity: str = "", page_size: int = CKAN_PAGE_SIZE) -> Source:
    """Every dataset of a CKAN site (``package_search`` pages) or a JSON Lines dump file."""
    if is_url(location):
        packages = list(_ckan_pages(location, page_size))
    else:
        packages = list(_json_lines(read_file(location), location))
    entries = [ckan_entry(package) for package in packages]
    return Source(source_identity(location.rstrip("/"), identity), "CKAN", entries)


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
    entry.issued = to_date(extras.get("issued") or package.get("metadata_created"))
    entry.modified = to_date(extras.get("modified") or package.get("metadata_modified"))
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
    return web_link(
        resource.get("url"),
        title=(_text(resource.get("name")) or fmt)[:300],
        format=fmt,
        media_type=_text(resource.get("mimetype"))[:100],
        kind=Distribution.Kind.API if api else Distribution.Kind.LINK,
    )
