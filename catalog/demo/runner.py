"""The single entry point of the demo's workflows (``manage.py load_demo`` calls ``play``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.test import override_settings

from catalog.models import Product

from . import (
    accounts,
    agreements,
    applications,
    catalogue,
    crossborder,
    market,
    merchants,
    operation,
    products,
    publishing,
)

# The demo's mails go nowhere: the notices stay in the portal, the console stays quiet.
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def already_played(path: Path) -> bool:
    """Whether the workflows described in ``path`` were played on this database before: the
    demo's first product exists (``play`` is one transaction: all of its rows exist or none).
    ``load_demo`` then loads nothing again, since loaddata would put back the drafts and
    unverified enterprises the workflows started from."""
    first = _read(path)["products"][0]["code"]
    return Product.objects.filter(code=first).exists()


def play(path: Path) -> bool:
    """Play the workflows described in ``path`` (``fixtures/demo_workflows.json``) through the
    services, after loaddata; skipped (returns False) when they were played before."""
    workflows = _read(path)
    with override_settings(EMAIL_BACKEND=QUIET_MAIL), transaction.atomic():
        if already_played(path):
            return False
        accounts.make(workflows["enterprises"])
        publishing.make(workflows["resources"])
        catalogue.high_value(workflows["high_value"])
        catalogue.dates_as_of(workflows["as_of"])
        # Agreements before products: only an operator under an active agreement may register.
        agreements.make(workflows["agreements"])
        # ... or as a verified data merchant (open sources need no agreement then).
        merchants.make(workflows["merchants"])
        operation.make(workflows["operations"])
        products.make(workflows["products"])
        applications.make(workflows["applications"])
        market.prices(workflows["prices"])
        market.requests(workflows["requests"])
        market.showcases(workflows["showcases"])
        market.complaints(workflows["complaints"])
        crossborder.make(workflows["crossborder"])
    return True
