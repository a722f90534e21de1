"""These tests read the English texts."""

from tests.english import client, english  # noqa: F401
