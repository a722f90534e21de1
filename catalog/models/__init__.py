"""The two catalogues: organizations, themes, data resources with their dictionaries and
distributions, and data products.

Models hold data only. Writes go through ``catalog.services``; reads through
``catalog.selectors``; who may see or use what is decided by ``grading.policy``, which reads
these models (they import nothing from it). One module per kind of record, all importable
from ``catalog.models``.
"""

from catalog.models.engagement import ResourceDailyCount, ResourceFollow
from catalog.models.harvest import HarvestRecord
from catalog.models.organizations import Organization, Theme, UpdateCycle
from catalog.models.products import Product, ProductPrice
from catalog.models.resources import (
    Distribution,
    DistributionVersion,
    Field,
    Resource,
    ResourceVersion,
)
from catalog.models.rows import Row, RowTable
from catalog.models.search import SearchOutbox

__all__ = [
    "Distribution",
    "DistributionVersion",
    "Field",
    "HarvestRecord",
    "Organization",
    "Product",
    "ProductPrice",
    "Resource",
    "ResourceDailyCount",
    "ResourceFollow",
    "ResourceVersion",
    "Row",
    "RowTable",
    "SearchOutbox",
    "Theme",
    "UpdateCycle",
]
