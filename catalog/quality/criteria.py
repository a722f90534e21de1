"""The quality score (0–100) of a catalogue entry, from stated criteria with fixed weights.

Each criterion is met or missed as a whole; the score is the sum of the weights of the criteria
met. Nothing here writes: ``catalog.quality.services.resource_refresh_quality`` stores the
result on the resource, and ``manage.py refresh_quality`` re-checks timeliness as days pass.
The criteria, their weights and the thresholds are documented in docs/QUALITY.md and on the
about page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# An abstract at least this long (in characters) counts as a description.
MIN_ABSTRACT_LENGTH = 60

# Machine-readable formats with open specifications; PDF, DOC, DOCX, JPG and the like are not.
OPEN_FORMATS = frozenset(
    {
        "CSV",
        "TSV",
        "JSON",
        "JSONL",
        "NDJSON",
        "GEOJSON",
        "XML",
        "RDF",
        "TTL",
        "JSONLD",
        "XLSX",
        "ODS",
        "PARQUET",
        "GML",
        "KML",
        "SHP",
        "GEOTIFF",
        "NETCDF",
        "API",
    }
)

# Days after the last modification by which an entry of each update cycle is due again. An
# irregular entry is never overdue.
CYCLE_ALLOWANCE_DAYS = {
    "realtime": 2,
    "daily": 2,
    "weekly": 8,
    "monthly": 32,
    "quarterly": 93,
    "yearly": 366,
}


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: int
    label: str  # what the entry misses, shown as a plain list on the resource page
    rule: str  # how it is judged, shown on the about page

    def label_text(self) -> str:
        return str(self.label) % {"n": MIN_ABSTRACT_LENGTH}

    def rule_text(self) -> str:
        return str(self.rule) % {"n": MIN_ABSTRACT_LENGTH}


CRITERIA = (
    Criterion(
        "description",
        15,
        _("A description of at least %(n)d characters"),
        _("The abstract has at least %(n)d characters."),
    ),
    Criterion(
        "dictionary",
        20,
        _("A complete data dictionary (every field described)"),
        _("The data dictionary has at least one field and every field has a description."),
    ),
    Criterion(
        "open_format",
        15,
        _("A machine-readable open format"),
        _(
            "The declared format or a file is machine-readable and open (CSV, JSON, XML, "
            "XLSX, GeoJSON, an API…), not only PDF, DOC or images."
        ),
    ),
    Criterion(
        "distributions",
        20,
        _("Distributions with checksums"),
        _("At least one distribution is offered and every stored file has a SHA-256 checksum."),
    ),
    Criterion(
        "conditions",
        10,
        _("Conditions of access stated"),
        _("Conditionally open entries state their conditions of access (others meet this)."),
    ),
    Criterion(
        "timely",
        20,
        _("Updated on time for its update cycle"),
        _(
            "Modified within its cycle's allowance: real time and daily 2 days, weekly 8, "
            "monthly 32, quarterly 93, yearly 366; irregular entries are never late."
        ),
    ),
)
WEIGHTS = {c.key: c.weight for c in CRITERIA}
BY_KEY = {c.key: c for c in CRITERIA}
assert sum(WEIGHTS.values()) == 100


@dataclass(frozen=True)
class Assessment:
    score: int
    missing: list[str]  # criterion keys, in the order of CRITERIA
    update_due: dt.date | None


def update_due(modified: dt.date | None, cycle: str) -> dt.date | None:
    """The date by which an entry modified on ``modified`` is due again; None if never."""
    days = CYCLE_ALLOWANCE_DAYS.get(cycle)
    if days is None or modified is None:
        return None
    return modified + dt.timedelta(days=days)


def is_timely(due: dt.date | None, today: dt.date) -> bool:
    return due is None or today <= due


def assess(resource, fields: Iterable, distributions: Iterable, today: dt.date) -> Assessment:
    """Judge ``resource`` (with its dictionary ``fields`` and ``distributions``) on each
    criterion as of ``today``."""
    fields, distributions = list(fields), list(distributions)
    formats = {(resource.format or "").upper()}
    formats |= {(d.format or "").upper() for d in distributions}
    files = [d for d in distributions if d.kind == "file"]
    due = update_due(resource.modified, resource.update_cycle)
    met = {
        "description": len((resource.abstract or "").strip()) >= MIN_ABSTRACT_LENGTH,
        "dictionary": bool(fields) and all((f.description or "").strip() for f in fields),
        "open_format": bool(formats & OPEN_FORMATS),
        "distributions": bool(distributions) and all(d.sha256 for d in files),
        "conditions": resource.tier != "conditional" or bool(resource.open_conditions.strip()),
        "timely": is_timely(due, today),
    }
    missing = [c.key for c in CRITERIA if not met[c.key]]
    return Assessment(100 - sum(WEIGHTS[k] for k in missing), missing, due)


def missing_labels(keys: Iterable[str]) -> list[str]:
    """The translated labels of the criteria ``keys`` names (unknown keys are skipped)."""
    return [BY_KEY[k].label_text() for k in keys if k in BY_KEY]
