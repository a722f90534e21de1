"""Fixtures shared by the portal's tests."""

import pytest
from django.core.cache import cache


@pytest.fixture
def cache_on(settings):
    """The anonymous page cache switched on, empty before and after the test."""
    settings.ANONYMOUS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()
