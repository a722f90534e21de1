"""Applications for conditional data, each walked to its state by the users whose step it is."""

from __future__ import annotations

from grading.applications.services import application_act, application_create
from grading.models import Application

from . import actors

APPLICANT_STEPS = {"submit", "withdraw", "respond", "accept"}
PLATFORM_STEPS = {"check", "return"}
AGENCY_STEPS = {"approve", "reject", "request_info"}


def make(specs: list[dict]) -> list[Application]:
    """Create every application of ``specs`` as its applicant, then take its steps."""
    return [_play(spec) for spec in specs]


def _play(spec: dict) -> Application:
    applicant = actors.user(spec["applicant"])
    application = application_create(
        actor=applicant,
        resources=actors.resources(spec["resources"]),
        data={
            "purpose": spec["purpose"],
            "scenario": spec["scenario"],
            "want_download": spec["want_download"],
            "want_query": spec["want_query"],
            "term_days": spec["term_days"],
            "undertaking_accepted": True,
        },
    )
    for action, reason in spec["steps"]:
        actor = _actor(application, action)
        application = application_act(
            actor=actor, application=application, action=action, reason=reason
        )
    return application


def _actor(application: Application, action: str):
    """Who takes ``action``: the applicant, the platform administrator or the agency."""
    if action in APPLICANT_STEPS:
        return application.applicant
    if action in PLATFORM_STEPS:
        return actors.platform_admin()
    if action in AGENCY_STEPS:
        return actors.reviewer_of(application.provider)
    raise ValueError(f"unknown application step {action!r}")
