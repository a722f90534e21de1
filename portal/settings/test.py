"""Test settings: only overrides."""

import tempfile

from .base import *  # noqa: F403
from .base import STORAGES

# Fast hashing for users made in tests; PBKDF2 still verifies the demo users' stored hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="portal-test-static-")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests read fresh answers unless a test turns the anonymous cache on itself.
ANONYMOUS_CACHE_SECONDS = 0
QUERY_CACHE_SECONDS = 0
