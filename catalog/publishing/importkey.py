"""The key of the import template (docs/IMPORT.md): every column explained and the codes a cell
may hold, written as a second sheet of the XLSX template and as comment rows of the CSV one."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from catalog.models import Field, Organization, Theme, UpdateCycle
from grading.grades import CEILING, Grade, Tier

COLUMN_HELP = {
    "code": ("yes", N_("Catalogue code, unique in the whole catalogue.")),
    "title": ("yes", N_("Title.")),
    "title_en": ("", N_("English title.")),
    "abstract": ("yes", N_("Description.")),
    "theme": ("yes", N_("Theme code: see the list of themes.")),
    "tier": ("yes", N_("Openness tier: see the list of tiers.")),
    "format": ("yes", N_("Format, e.g. CSV, JSON, XLSX, API.")),
    "update_cycle": ("yes", N_("Update cycle: see the list of update cycles.")),
    "keywords": ("", N_("Keywords, separated by commas.")),
    "license": ("", N_("Licence.")),
    "spatial": ("", N_("Spatial coverage.")),
    "temporal": ("", N_("Temporal coverage.")),
    "open_conditions": ("", N_("Conditions of access (conditional entries).")),
    "high_value": ("", N_("High-value entry: yes or no (是/否, 1/0); empty is no.")),
    "fields": (
        "",
        N_("Data dictionary: items name_en:name:type:grade[:description] separated by “;”."),
    ),
}


def template_codes() -> list[tuple[str, list[tuple[str, str]]]]:
    """The template's key: each column explained, then the codes a cell may hold (themes,
    tiers, grades with the tiers each allows, update cycles, field types, agencies), as
    (section title, [(code, meaning)])."""
    yes = _("required")
    columns = [
        (name, (f"[{yes}] " if required else "") + _(text))
        for name, (required, text) in COLUMN_HELP.items()
    ]
    grades = [
        (
            code,
            f"{label} — "
            + _("allowed tiers: %(tiers)s")
            % {"tiers": ", ".join(t for t in Tier.values if t in CEILING[code])},
        )
        for code, label in Grade.choices
    ]
    agencies = Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("code")
    return [
        (
            _("How to use this template"),
            [
                ("#", _("Rows whose code starts with # are notes and are skipped on import.")),
                ("1", _("Replace the example row with your entries, one per row.")),
                (
                    "2",
                    _(
                        "Every error of every row is reported at once; nothing is written "
                        "until the whole file is valid."
                    ),
                ),
            ],
        ),
        (_("Columns"), columns),
        (_("Themes (theme)"), [(t.code, t.name) for t in Theme.objects.order_by("code")]),
        (_("Openness tiers (tier)"), [(c, str(label)) for c, label in Tier.choices]),
        (_("Security grades (in fields)"), grades),
        (_("Update cycles (update_cycle)"), [(c, str(label)) for c, label in UpdateCycle.choices]),
        (_("Field types (in fields)"), [(c, str(label)) for c, label in Field.DataType.choices]),
        (_("High-value values (high_value)"), [("yes", "是 / 1 / true"), ("no", "否 / 0 / false")]),
        (_("Agencies"), [(o.code, o.display_name) for o in agencies]),
    ]
