"""Fixtures for tests that read the English texts (the Chinese catalogue is filled and checked
separately): import them into a directory's conftest.py or a test module.

``english`` (autouse) activates English for code run by the test itself; ``client`` asks
the pages and the API for English, as a browser set to English does."""

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")
