"""One row of a bulk import checked on its own and turned into service arguments: every problem
its cells show is reported at once, each choice error with the valid values (docs/IMPORT.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.models import Field, Theme, UpdateCycle
from grading.grades import Grade, Tier

# Columns passed to the services as they are (the services validate them).
METADATA_COLUMNS = (
    "title",
    "title_en",
    "keywords",
    "format",
    "update_cycle",
    "license",
    "spatial",
    "temporal",
    "open_conditions",
    "tier",
)
_TRUE = {"yes", "y", "true", "1", "是"}
_FALSE = {"no", "n", "false", "0", "否", ""}


# ---------------------------------------------------------------------------------------------
# One row into service arguments
# ---------------------------------------------------------------------------------------------


def parse_fields(text: str) -> list[dict[str, str]]:
    """The data dictionary column: ``name_en:name:type:grade[:description]`` items separated by
    ``;`` (the description may itself hold colons). ``ValueError`` names the first malformed
    item; :func:`fields_problems` names them all."""
    fields, problems = _read_fields(text)
    if problems:
        raise ValueError(problems[0])
    return fields


def _read_fields(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The dictionary items of ``text`` and a message for every problem of every item: a
    malformed item, a missing name, an unknown type or grade (with the valid values)."""
    fields, problems = [], []
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        parts = [p.strip() for p in item.split(":", 4)]
        if len(parts) < 4:
            problems.append(
                _("“%(item)s” is not name_en:name:type:grade[:description].") % {"item": item}
            )
            continue
        name_en, name, data_type, grade = parts[:4]
        data_type, grade = data_type.lower(), grade.upper()
        label = name_en or name or item
        if not name_en or not name:
            problems.append(
                _("%(field)s: both the English name and the name are required.") % {"field": label}
            )
        if data_type not in Field.DataType.values:
            problems.append(
                "data_type: "
                + _not_one_of(data_type, Field.DataType.choices)
                + f" ({_('field')} {label})"
            )
        if grade not in Grade.values:
            problems.append(
                "grade: " + _not_one_of(grade, Grade.choices) + f" ({_('field')} {label})"
            )
        fields.append(
            {
                "name_en": name_en,
                "name": name,
                "data_type": data_type,
                "grade": grade,
                "description": parts[4] if len(parts) == 5 else "",
            }
        )
    return fields, problems


def _not_one_of(value: str, choices) -> str:
    """“value” is not valid, and the valid values with their labels."""
    valid = ", ".join(f"{code} ({label})" for code, label in choices)
    return _("“%(value)s” is not valid. Valid values: %(valid)s.") % {
        "value": value,
        "valid": valid,
    }


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(_("Write yes or no.") + " " + _("Valid values: yes, no, 是, 否, 1, 0."))
    return value in _TRUE


@dataclass
class _Parsed:
    data: dict
    fields: list[dict] | None
    theme: Theme | None


REQUIRED_VALUES = ("title", "abstract", "theme", "tier", "format", "update_cycle")


def _parse_row(row: dict[str, str], themes: dict[str, Theme]) -> tuple[_Parsed, list[tuple]]:
    """Service arguments from one row, and (column, message) for every problem the row's cells
    show on their own: all of them at once, each naming the valid values, so one upload finds
    what a row needs. What only the services can tell (lengths, a code under review) follows
    once these are fixed."""
    problems = []
    data = {c: row.get(c, "") for c in METADATA_COLUMNS if c in row}
    data["update_cycle"] = data.get("update_cycle", "").lower()
    data["tier"] = data.get("tier", "").lower()
    for column in REQUIRED_VALUES:
        if not row.get(column, "").strip():
            problems.append((column, _("A value is required.")))
    theme = themes.get(row.get("theme", ""))
    if theme is None and row.get("theme", "").strip():
        valid = ", ".join(f"{code} ({t.name})" for code, t in sorted(themes.items()))
        problems.append(
            (
                "theme",
                _("Unknown theme code “%(code)s”.") % {"code": row.get("theme")}
                + " "
                + _("Valid values: %(valid)s.") % {"valid": valid or "—"},
            )
        )
    tier = data["tier"]
    if tier and tier not in Tier.values:
        problems.append(("tier", _not_one_of(tier, Tier.choices)))
    cycle = data["update_cycle"]
    if cycle and cycle not in UpdateCycle.values:
        problems.append(("update_cycle", _not_one_of(cycle, UpdateCycle.choices)))
    # Like every optional column, ``high_value`` changes the entry only when the file has
    # that column: a re-import without it keeps the flag as it is (a new entry gets the
    # default, no). Where the column is present, a blank cell means "no", as documented.
    if "high_value" in row:
        try:
            data["high_value"] = _yes_no(row["high_value"])
        except ValueError as exc:
            problems.append(("high_value", str(exc)))
    fields = None
    if "fields" in row:
        fields, field_problems = _read_fields(row["fields"])
        problems.extend(("fields", message) for message in field_problems)
        if not field_problems and tier in Tier.values:
            problems.extend(_ceiling_problems(tier, fields))
    return _Parsed(data, fields, theme), problems


def _ceiling_problems(tier: str, fields: list[dict]) -> list[tuple]:
    """The ceiling, told with the other problems of the row (the services check it again)."""
    from grading import policy

    try:
        policy.check_ceiling(grade=policy.derive_grade(f["grade"] for f in fields), tier=tier)
    except ValidationError as exc:
        return [("tier", message) for message in exc.messages]
    return []
