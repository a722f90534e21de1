"""Answers that depend on who asks must not be kept by shared caches, nor handed to someone
else by the browser's cache.

Every answer names the request headers that carry credentials in ``Vary`` (a cache must not
serve one caller's copy to a request with other credentials), and an answer to a request that
carries any (an API key, an ``Authorization`` header, a session cookie) is marked
``Cache-Control: private, no-store``. Anonymous answers keep whatever caching they had.
Static files are served before this runs and are not touched.
"""

from django.conf import settings
from django.utils.cache import patch_vary_headers

from grading.accounts import apikeys

CREDENTIAL_HEADERS = ("Authorization", "Cookie", apikeys.HEADER)


def carries_credentials(request) -> bool:
    """Does ``request`` name a caller: an API key or Authorization header, or a session?"""
    return apikeys.credentials_sent(request) or settings.SESSION_COOKIE_NAME in request.COOKIES


class CredentialHeadersMiddleware:
    """``Vary`` on the credential headers for every answer; ``private, no-store`` for answers
    to requests that carry credentials."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, CREDENTIAL_HEADERS)
        if carries_credentials(request):
            response["Cache-Control"] = "private, no-store"
        return response
