"""Who acts when no person does.

Services take the person acting as ``actor`` and ask the rule-book whether that person may.
Trusted callers that act for the platform itself (management commands, the demo loader,
harvest, scheduled jobs) pass ``SYSTEM`` instead, and services skip the permission checks for
it alone. ``None`` is never trusted: to the rule-book it is an anonymous caller.
"""


class SystemActor:
    """The platform acting on its own behalf; recorded in the audit chain with no user."""

    pk = None
    is_authenticated = False
    is_active = False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    """Is ``actor`` the platform itself (a trusted caller whose checks are skipped)?"""
    return actor is SYSTEM
