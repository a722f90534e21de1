"""The access truth table, written by hand from DESIGN §2, independent of the code under test."""

from tests.conftest import USER_KINDS

EVERYONE = frozenset(USER_KINDS)
RESTRICTED_AUDIENCE = frozenset({"agency_staff", "operator", "platform_admin", "auditor"})

VIEW = {
    "open_L1": EVERYONE,
    "conditional_L1": EVERYONE,
    "conditional_L2": EVERYONE,
    "conditional_L3": EVERYONE,
    "restricted_L2": RESTRICTED_AUDIENCE,
    "restricted_L4": RESTRICTED_AUDIENCE,
}
DOWNLOAD = {
    "open_L1": EVERYONE,
    "conditional_L1": frozenset({"grantee", "agency_staff"}),
    "conditional_L2": frozenset({"grantee", "agency_staff"}),
    # L3 is query-only, never a bulk download, even with a grant.
    "conditional_L3": frozenset({"agency_staff"}),
    "restricted_L2": frozenset({"agency_staff"}),
    "restricted_L4": frozenset({"agency_staff"}),
}
QUERY = {
    "open_L1": EVERYONE,
    "conditional_L1": frozenset({"grantee", "agency_staff", "operator"}),
    "conditional_L2": frozenset({"grantee", "agency_staff", "operator"}),
    "conditional_L3": frozenset({"grantee", "agency_staff", "operator"}),
    "restricted_L2": frozenset({"agency_staff", "operator"}),
    "restricted_L4": frozenset({"agency_staff", "operator"}),
}
CASES = [(variant, kind) for variant in VIEW for kind in USER_KINDS]

# While a rights complaint against the resource is upheld (DESIGN §3, Feedback): only staff of
# the providing agency keep downloading and querying; grants and agreements do not help.
# (Platform staff keep what they had, which for non-open data is nothing.)
SUSPENDED_DOWNLOAD = {
    "open_L1": frozenset({"agency_staff", "platform_admin", "auditor"}),
    "conditional_L1": frozenset({"agency_staff"}),
    "conditional_L2": frozenset({"agency_staff"}),
    "conditional_L3": frozenset({"agency_staff"}),
    "restricted_L2": frozenset({"agency_staff"}),
    "restricted_L4": frozenset({"agency_staff"}),
}
SUSPENDED_QUERY = SUSPENDED_DOWNLOAD
# The agency workspace: editors and reviewers of the providing agency open its entries there;
# anyone else who may see the entry is told why not (403), the rest get 404.
WORKSPACE = frozenset({"agency_staff"})
# Drafts: staff of the providing agency and platform staff see them; nobody else knows of them.
VIEW_DRAFT = frozenset({"agency_staff", "platform_admin", "auditor"})
# Changing metadata (page or API): editors of the providing agency and platform administrators.
EDIT = frozenset({"agency_staff", "platform_admin"})
