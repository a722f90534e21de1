"""A file cache that every server process on one host shares, with counting that holds up when
several processes count the same thing at once.

Django's own file cache keeps one file per key, and reading one is safe beside a writer, but
its ``add()`` and ``incr()`` are a read followed by a write: two processes counting failed
logins at the same moment would both read 3 and both write 4. Here every write takes one
exclusive lock file in the cache directory (``fcntl.flock``), so ``add()`` and ``incr()`` are
atomic across processes, and ``incr()`` keeps the entry's expiry (Django's resets it to the
default timeout, which would stretch a lock-out window with every new failure). When the cache
is full, expired entries go first, before live ones are dropped at random.
"""

import fcntl
import os
import pickle
import tempfile
import threading
import time
import zlib
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

LOCK_NAME = "lock"


class SharedFileCache(FileBasedCache):
    """``FileBasedCache`` whose writes are serialised across processes by a lock file."""

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._lock_file = None

    @contextmanager
    def _locked(self):
        """Hold the directory's lock file (re-entrant within this cache object: ``add()``
        calls ``set()``, and a second ``flock`` on a new descriptor would wait for itself)."""
        with self._thread_lock:
            if self._depth == 0:
                self._createdir()
                self._lock_file = open(os.path.join(self._dir, LOCK_NAME), "ab")  # noqa: SIM115
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                    self._lock_file.close()
                    self._lock_file = None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            super().set(key, value, timeout, version)

    def delete(self, key, version=None):
        with self._locked():
            return super().delete(key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().touch(key, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Add ``delta`` to the stored number and return it, keeping the entry's expiry; a
        missing or expired key raises ValueError, as every Django cache does."""
        fname = self._key_to_file(key, version)
        with self._locked():
            expiry, value = self._read(fname)
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self._write(fname, expiry, value)
        return value

    def _read(self, fname) -> tuple[float | None, object]:
        try:
            with open(fname, "rb") as f:
                if self._is_expired(f):
                    return None, None
                f.seek(0)
                expiry = pickle.load(f)
                return expiry, pickle.loads(zlib.decompress(f.read()))
        except FileNotFoundError:
            return None, None

    def _write(self, fname, expiry, value) -> None:
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            os.replace(tmp_path, fname)
        except BaseException:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
            raise

    def _cull(self):
        """Drop expired entries first; only then, if still full, live ones at random."""
        names = self._list_cache_files()
        if len(names) < self._max_entries:
            return
        now = time.time()
        for fname in names:
            try:
                with open(fname, "rb") as f:
                    expiry = pickle.load(f)
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                continue
            if expiry is not None and expiry < now:
                self._delete(fname)
        super()._cull()
