"""The metadata of an entry that its agency edits, in one place: the workspace form and the
write API show ``AGENCY_METADATA`` (in this order); ``resource_update`` accepts
``EDITABLE_FIELDS``."""

# What the agency edits in the workspace form and through the write API.
AGENCY_METADATA = (
    "title",
    "title_en",
    "abstract",
    "abstract_en",
    "theme",
    "keywords",
    "format",
    "update_cycle",
    "tier",
    "open_conditions",
    "spatial",
    "temporal",
    "license",
    "record_count",
)
# Metadata an editor may change with ``resource_update``: the above, the dates kept by harvest
# and import, and the flags set by the platform. Tier and fields have their own checks because
# they move the grade and the ceiling.
EDITABLE_FIELDS = frozenset(
    {*AGENCY_METADATA, "issued", "modified", "authorized_operation", "high_value"}
)
