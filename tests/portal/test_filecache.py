"""The file cache that server processes on one host share: counts made by several processes at
once all count, a count keeps its window, and a full cache drops expired entries first."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.filecache import SharedFileCache

ROOT = Path(__file__).resolve().parents[2]

COUNTER = """
import sys
from portal.filecache import SharedFileCache

cache = SharedFileCache(sys.argv[1], {})
cache.add("count", 0, timeout=600)
for _ in range(int(sys.argv[2])):
    cache.incr("count")
    cache.add("first", sys.argv[3], timeout=600)
"""


def _counting_process(directory, times: int, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", COUNTER, str(directory), str(times), name], cwd=ROOT
    )


def test_two_processes_counting_at_once_lose_no_count(tmp_path):
    workers = [_counting_process(tmp_path, 300, name) for name in ("one", "two")]
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    cache = SharedFileCache(str(tmp_path), {})
    assert cache.get("count") == 600
    assert cache.get("first") in ("one", "two")


def test_a_count_keeps_the_window_its_first_failure_started(tmp_path):
    cache = SharedFileCache(str(tmp_path), {})
    cache.set("failures", 0, timeout=1)
    assert cache.incr("failures") == 1
    assert cache.incr("failures", 4) == 5
    assert cache.get("failures") == 5
    time.sleep(1.1)
    assert cache.get("failures") is None
    with pytest.raises(ValueError):
        cache.incr("failures")
    assert cache.add("failures", 1, timeout=600) is True
    assert cache.add("failures", 1, timeout=600) is False


def test_a_full_cache_drops_expired_entries_before_live_ones(tmp_path):
    cache = SharedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 4, "CULL_FREQUENCY": 1}})
    cache.set("lock-out", 5, timeout=600)
    for name in ("old-1", "old-2", "old-3"):
        cache.set(name, "page", timeout=1)
    time.sleep(1.1)
    cache.set("new", "page", timeout=600)
    assert cache.get("lock-out") == 5
    assert cache.get("new") == "page"
    assert len(cache._list_cache_files()) == 2
