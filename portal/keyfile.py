"""A random secret made on first use and kept in a file only its owner may read (mode 0600).

Used by the settings, before Django is set up, for the signing key of a machine that has no
``SECRET_KEY`` in its environment: each installation gets its own key, never a constant that
anyone could read in the source and use to forge signed links.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:  # readable by others: tighten it, the key is only the owner's business
        os.chmod(path, 0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"{path} holds no usable key (fewer than {MIN_LENGTH} characters): delete it to "
            "have a new one made, or set SECRET_KEY."
        )
    return value


def _create(path: Path) -> None:
    """Write a new key to ``path`` unless another process got there first. The key is written
    to a private temporary file and linked into place, so nobody ever reads half a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use that
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def local_secret(path: Path) -> str:
    """The key kept in ``path``, made (random, mode 0600) on first use."""
    try:
        if not path.exists():
            _create(path)
        return _read(path)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Set SECRET_KEY, or let the portal keep a generated key in {path}: {exc}"
        ) from exc
