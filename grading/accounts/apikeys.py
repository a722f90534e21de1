"""API keys and rate limits.

A key reads ``pdp_<prefix>_<secret>``. The prefix (public, unique) finds the row; only the
SHA-256 of the secret is stored, so a leaked database does not leak usable keys, and the key is
shown once, when it is created. A key acts as its user: the rule-book sees the caller as that
user. Callers send it as ``Authorization: Token <key>`` or ``X-API-Key: <key>``; a bad, expired
or revoked key answers 401 and is never treated as anonymous.

Rate limits are DRF throttles with rates from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``:
anonymous callers per address (``anon``, the address from ``portal.clients.client_ip``, which
reads forwarded headers only from ``TRUSTED_PROXIES``), key holders per key (``api_key``) and
signed-in browser sessions per user (``user``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from catalog.validators import text_errors
from grading import audit, policy
from grading.models import APIKey
from portal.cache import counters, counting
from portal.clients import client_ip

KEY_SCHEME = "pdp"
KEYWORD = "Token"
HEADER = "X-API-Key"
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reads and writes
# ---------------------------------------------------------------------------------------------


def api_keys_of(*, user) -> QuerySet:
    """The keys ``user`` may see and revoke (their own), newest first."""
    return APIKey.objects.filter(policy.api_keys_q(user))


@transaction.atomic
def api_key_create(
    *, user, name: str, expires_at: dt.datetime | None = None, using_key: bool = False
) -> tuple[APIKey, str]:
    """Create a key for ``user`` and return it with the full key text, which is not stored and
    cannot be shown again. ``expires_at``, if given, must lie in the future. ``using_key`` says
    the caller authenticated with a key (refused: keys are made from a signed-in session)."""
    if not policy.can_create_api_key(user, using_key=using_key):
        raise PermissionDenied(_("Create API keys while signed in, not with another key."))
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the key a name of at most 100 characters.")})
    if errors := text_errors({"name": name}):
        raise ValidationError(errors)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    secret = secrets.token_urlsafe(32)
    for _attempt in range(5):
        prefix = secrets.token_hex(6)
        try:
            with transaction.atomic():
                key = APIKey.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=_digest(secret),
                    expires_at=expires_at,
                )
            return key, f"{KEY_SCHEME}_{prefix}_{secret}"
        except IntegrityError:  # a prefix taken already: draw another
            continue
    raise RuntimeError("could not draw an unused API key prefix")


@transaction.atomic
def api_key_revoke(*, user, key_id: int) -> APIKey:
    """Revoke one of ``user``'s keys; revoking twice is harmless. Another user's key, or an
    unknown id, raises ``APIKey.DoesNotExist`` (answered 404: its existence is not revealed)."""
    key = api_keys_of(user=user).select_for_update().get(pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="api_key.revoke", obj=key, payload={"prefix": key.prefix})
    return key


def api_key_check(raw: str) -> APIKey:
    """The live key for the text ``raw``, or ``AuthenticationFailed`` saying what is wrong."""
    scheme, _sep, rest = raw.partition("_")
    prefix, _sep, secret = rest.partition("_")
    key = None
    if scheme == KEY_SCHEME and prefix and secret:
        key = APIKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)):
        raise exceptions.AuthenticationFailed(_("Invalid API key."))
    now = timezone.now()
    if key.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
    if key.expires_at is not None and key.expires_at <= now:
        raise exceptions.AuthenticationFailed(_("This API key has expired."))
    if not key.user.is_active:
        raise exceptions.AuthenticationFailed(_("The account of this API key is disabled."))
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# ---------------------------------------------------------------------------------------------
# DRF authentication
# ---------------------------------------------------------------------------------------------


def _key_text(request) -> str | None:
    """The key sent with ``request``, from either header; ``None`` when none was sent."""
    sent = []
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.split(" ", 1)[0].lower() == KEYWORD.lower():
        parts = authorization.split()
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Token <key>”, with no spaces in the key.")
            )
        sent.append(parts[1])
    header = request.META.get("HTTP_X_API_KEY")
    if header is not None:
        sent.append(header.strip())
    if len(set(sent)) > 1:
        raise exceptions.AuthenticationFailed(_("Two different API keys were sent."))
    return sent[0] if sent else None


class APIKeyAuthentication(BaseAuthentication):
    """Authenticate API calls by key, as the key's user; ``request.auth`` is the ``APIKey``."""

    def authenticate(self, request):
        raw = _key_text(request)
        if raw is None:
            return None
        key = api_key_check(raw)
        return key.user, key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to unauthenticated calls, naming the scheme.
        return f'{KEYWORD} realm="api"'


def credentials_sent(request) -> bool:
    """Did ``request`` carry an API key (valid or not)? Such calls are never answered from or
    stored in the anonymous cache."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(authorization) or "HTTP_X_API_KEY" in request.META


# ---------------------------------------------------------------------------------------------
# Throttles
# ---------------------------------------------------------------------------------------------


class _SettingsRateThrottle(SimpleRateThrottle):
    """Reads its rate when it is made, so a change of settings applies at once. Histories are
    kept in the ``counters`` cache, which every server process shares."""

    cache = counters

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        # The history is read, trimmed and written back: without the lock, callers answered at
        # the same moment by different workers would each write back only their own call.
        key = self.get_cache_key(request, view) if self.rate is not None else None
        if key is None:
            return super().allow_request(request, view)
        with counting(key):
            return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        # Not DRF's: it trusts X-Forwarded-For from anyone unless NUM_PROXIES is set.
        return client_ip(request)

    def _key(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_SettingsRateThrottle):
    """Anonymous callers, counted per address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self._key(self.get_ident(request))


class APIKeyRateThrottle(_SettingsRateThrottle):
    """Callers using an API key, counted per key."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        return self._key(key.pk) if isinstance(key, APIKey) else None


class SignedInRateThrottle(_SettingsRateThrottle):
    """Signed-in browser sessions (no key), counted per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(getattr(request, "auth", None), APIKey):
            return None
        if not (request.user and request.user.is_authenticated):
            return None
        return self._key(request.user.pk)


def anonymous_throttled(request) -> JsonResponse | None:
    """Count an anonymous API call answered from the page cache against the caller's ``anon``
    limit: a 429 with ``Retry-After`` once the limit is reached, else ``None``."""
    throttle = AnonymousRateThrottle()
    if throttle.rate is None or throttle.allow_request(request, None):
        return None
    wait = math.ceil(throttle.wait() or 1)
    response = JsonResponse({"detail": exceptions.Throttled(wait=wait).detail}, status=429)
    response["Retry-After"] = str(wait)
    return response
