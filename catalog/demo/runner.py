"""The single entry point of the demo's workflows (``manage.py load_demo`` calls ``play``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.test import override_settings

from catalog.models import Product

from . import agreements, applications, operation, products

# The demo's mails go nowhere: the notices stay in the portal, the console stays quiet.
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def already_played(workflows: dict) -> bool:
    """Whether the demo's workflows were played before: its first product exists. ``play`` is
    one transaction, so either all of its rows exist or none."""
    first = workflows["products"][0]["code"]
    return Product.objects.filter(code=first).exists()


def play(path: Path) -> bool:
    """Play the workflows described in ``path`` (``fixtures/demo_workflows.json``) through the
    services; skipped (returns False) when they were played before, so loading twice
    duplicates nothing."""
    workflows = json.loads(path.read_text(encoding="utf-8"))
    with override_settings(EMAIL_BACKEND=QUIET_MAIL), transaction.atomic():
        if already_played(workflows):
            return False
        # Agreements first: only an operator under an active agreement may register products.
        agreements.make(workflows["agreements"])
        operation.make(workflows["operations"])
        products.make(workflows["products"])
        applications.make(workflows["applications"])
    return True
