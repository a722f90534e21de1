"""A "next" page of a listing counts its matches in the same pass over the index as its keys
when its cursor knows the page's number: the entry just before the page's place must be the
cursor's own, else the page is found by the keyset range as before. Either way the pages are
the keyset pages: no entry twice, none left out, and the count right."""

from urllib.parse import urlsplit

import pytest

from catalog.search import engine as search_engine
from tests import factories as f
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

URL = "/api/v1/resources/?page_size=5&ordering=-modified"


@pytest.fixture
def catalogue(world):
    return [f.ResourceFactory(provider=world.provider) for _ in range(23)]


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def _walk(client, url: str) -> tuple[list[int], list[int]]:
    """Every id over the next links, and each page's count."""
    seen, counts = [], []
    while url:
        answer = client.get(url).json()
        seen += [row["id"] for row in answer["results"]]
        counts.append(answer["count"])
        url = answer["next"] and _path(answer["next"])
    return seen, counts


class _Spy:
    """Counts the engine's separate count passes."""

    def __init__(self, wrapped):
        self.wrapped, self.count_passes = wrapped, 0

    def counts(self, *args, **kwargs):
        self.count_passes += 1
        return self.wrapped.counts(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.wrapped, name)


@pytest.fixture
def spy():
    real = search_engine.get_engine()
    watching = _Spy(real)
    search_engine.use_engine(watching)
    yield watching
    search_engine.use_engine(real)


def test_next_pages_are_the_keyset_pages_with_their_count(client, catalogue, spy):
    indexed()
    seen, counts = _walk(client, URL)
    newest_first = sorted(catalogue, key=lambda r: (r.modified, r.pk), reverse=True)
    assert seen == [r.pk for r in newest_first]
    assert counts == [23] * 5
    assert spy.count_passes == 0  # each page counted in the pass that found it


def test_an_entry_added_between_pages_neither_repeats_nor_hides_one(client, world, catalogue):
    indexed()
    first = client.get(URL).json()
    f.ResourceFactory(provider=world.provider)  # newest: it shifts every place by one
    indexed()
    rest, counts = _walk(client, _path(first["next"]))
    shown = [row["id"] for row in first["results"]] + rest
    assert len(shown) == len(set(shown)) == 23  # the new entry sorts before the cursor
    assert set(shown) == {r.pk for r in catalogue}
    assert counts == [24] * 4


def test_an_entry_removed_between_pages_leaves_no_gap(client, catalogue):
    indexed()
    first = client.get(URL).json()
    gone = first["results"][1]["id"]
    type(catalogue[0]).objects.get(pk=gone).delete()
    indexed()
    rest, counts = _walk(client, _path(first["next"]))
    shown = [row["id"] for row in first["results"]] + rest
    assert len(shown) == len(set(shown)) == 23
    assert set(shown) == {r.pk for r in catalogue}
    assert counts == [22] * 4


def test_a_changed_page_size_keeps_the_keyset_order(client, catalogue):
    indexed()
    first = client.get(URL).json()
    following = _path(first["next"]).replace("page_size=5", "page_size=7")
    second = client.get(following).json()
    newest_first = sorted(catalogue, key=lambda r: (r.modified, r.pk), reverse=True)
    assert [row["id"] for row in second["results"]] == [r.pk for r in newest_first[5:12]]
    assert second["count"] == 23
