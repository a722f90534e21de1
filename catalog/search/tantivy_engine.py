"""The embedded engine: a Tantivy index per catalogue, in ``SEARCH_INDEX_DIR`` (in memory when
that setting is ``None``, as in the tests).

Layout: ``<dir>/<kind>/CURRENT`` names the live generation ``<dir>/<kind>/<generation>/``; a
rebuild writes a new generation and replaces ``CURRENT`` in one rename, so readers switch
between two complete indexes. Tantivy allows one writer per index: processes take
``<dir>/writer.lock`` (``flock``) before writing. Readers reload when the index's ``meta.json``
or ``CURRENT`` changed since their last search, so a commit made by any process is seen by the
next search of every process.

Text fields hold the words the database already stores in ``search_title``/``search_body``
(segmented by jieba on every write), so this module tokenizes on whitespace only and a rebuild
does no segmentation.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import tantivy
from django.conf import settings

from catalog.search.engine import KINDS, PRODUCTS, RESOURCES, Busy, Counts, Hits, Match, Order

TEXT = "text"  # whitespace-separated words
LABEL = "label"  # exact strings, not counted
KEYWORD = "keyword"  # exact strings, counted (facets) and sortable
NUMBER = "number"  # unsigned integers: filters, ranges, facets and sort keys

FIELDS = {
    RESOURCES: {
        "id": NUMBER,
        "title": TEXT,
        "body": TEXT,
        "labels": LABEL,
        "theme": NUMBER,
        "theme_path": NUMBER,
        "theme_top": NUMBER,
        "provider": NUMBER,
        "tier": KEYWORD,
        "grade": KEYWORD,
        "format": KEYWORD,
        "format_ci": LABEL,
        "update_cycle": KEYWORD,
        "high_value": NUMBER,
        "quality": NUMBER,
        "modified": NUMBER,
        "by_modified": NUMBER,
        "by_quality": NUMBER,
        "by_records": NUMBER,
        "by_downloads": NUMBER,
        "title_sort": KEYWORD,
        # For the CKAN-compatible package_search (catalog/interop/ckan/selectors.py):
        "tags": KEYWORD,
        "license": KEYWORD,
        "status": KEYWORD,
        "public": NUMBER,
        "code": LABEL,
        "updated": NUMBER,
        "created": NUMBER,
        "by_updated": NUMBER,
        "by_created": NUMBER,
        "name_sort": KEYWORD,
    },
    PRODUCTS: {
        "id": NUMBER,
        "title": TEXT,
        "body": TEXT,
        "labels": LABEL,
        "provider": NUMBER,
        "theme": NUMBER,
        "product_type": KEYWORD,
        "delivery": KEYWORD,
        "purpose": KEYWORD,
        "updated": NUMBER,
        "by_id": NUMBER,
    },
}
TEXT_FIELDS = ("title", "body")
FACET_SIZE = 10_000
WRITER_HEAP = 50_000_000  # bytes, for incremental updates
REBUILD_HEAP = 400_000_000  # bytes, split between the rebuild's threads
_TOTAL = "__total"
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


def _schema(kind: str) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name, kind_of_field in FIELDS[kind].items():
        if kind_of_field == NUMBER:
            builder.add_unsigned_field(name, indexed=True, fast=True)
        elif kind_of_field == TEXT:
            builder.add_text_field(name, tokenizer_name="whitespace", index_option="basic")
        else:
            builder.add_text_field(
                name, tokenizer_name="raw", index_option="basic", fast=kind_of_field == KEYWORD
            )
    return builder.build()


def _document(kind: str, values: dict) -> tantivy.Document:
    document = tantivy.Document()
    for name, kind_of_field in FIELDS[kind].items():
        value = values.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else (value,):
            if kind_of_field == NUMBER:
                document.add_unsigned(name, int(item))
            elif item != "":
                document.add_text(name, str(item))
    return document


class _Catalogue:
    """One kind's index as this process sees it."""

    def __init__(self, kind: str, root: Path | None):
        self.kind = kind
        self.schema = _schema(kind)
        self.root = root / kind if root else None
        self.index: tantivy.Index | None = None
        self._stamp: tuple | None = None

    # -- where the live generation is --------------------------------------------------------

    def _current(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name

    def _stamp_of(self, path: Path) -> tuple:
        try:
            meta = (path / "meta.json").stat()
        except FileNotFoundError:
            return (str(path), 0, 0)
        return (str(path), meta.st_mtime_ns, meta.st_size)

    def open(self) -> tantivy.Index:
        """The live index, reloaded if another process committed or rebuilt it."""
        if self.root is None:
            if self.index is None:
                self.index = tantivy.Index(self.schema)
            return self.index
        path = self._current()
        if path is None:
            path = self._start_generation()
        stamp = self._stamp_of(path)
        if self.index is None or stamp[0] != (self._stamp or ("",))[0]:
            self.index = tantivy.Index(self.schema, path=str(path))
        elif stamp != self._stamp:
            self.index.reload()
        self._stamp = stamp
        return self.index

    def _start_generation(self) -> Path:
        path = self._new_generation()
        tantivy.Index(self.schema, path=str(path))
        self._publish(path)
        return path

    def _new_generation(self) -> Path:
        path = self.root / f"g{time.time_ns()}-{uuid.uuid4().hex[:6]}"
        path.mkdir(parents=True)
        return path

    def _publish(self, path: Path) -> None:
        pointer = self.root / f"CURRENT.{uuid.uuid4().hex}"
        pointer.write_text(path.name)
        os.replace(pointer, self.root / "CURRENT")
        for old in self.root.iterdir():
            if old.is_dir() and old.name != path.name:
                shutil.rmtree(old, ignore_errors=True)

    def searcher(self) -> tantivy.Searcher:
        return self.open().searcher()

    def after_commit(self) -> None:
        index = self.open()
        index.reload()
        if self.root is not None:
            self._stamp = self._stamp_of(self._current())


class TantivyEngine:
    """The default :class:`~catalog.search.engine.Engine`."""

    def __init__(self, directory: str | os.PathLike | None = None):
        if directory is None:
            directory = getattr(settings, "SEARCH_INDEX_DIR", None)
        self.root = Path(directory) if directory else None
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        self._thread_lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        self._catalogues = {kind: _Catalogue(kind, self.root) for kind in KINDS}

    # -- queries -------------------------------------------------------------------------------

    def _query(self, kind: str, match: Match) -> tantivy.Query:
        schema = self._catalogues[kind].schema
        parts = [(MUST, self._labels(schema, match.labels))]
        fields = ("title",) if match.in_title else TEXT_FIELDS
        parts += [(MUST, self._word(schema, word, fields)) for word in match.words]
        if match.exclude_words_in_title and match.words:
            in_title = [(MUST, self._word(schema, w, ("title",))) for w in match.words]
            parts.append((MUST_NOT, tantivy.Query.boolean_query(in_title)))
        for name, values in match.terms:
            parts.append((MUST, self._term_set(schema, kind, name, values)))
        for name, lowest, highest in match.ranges:
            parts.append(
                (
                    MUST,
                    tantivy.Query.range_query(
                        schema, name, tantivy.FieldType.Unsigned, lowest, highest
                    ),
                )
            )
        for name, values in match.excluded_terms:
            parts.append((MUST_NOT, self._term_set(schema, kind, name, values)))
        for name, lowest, highest in match.excluded_ranges:
            parts.append((MUST_NOT, self._range(schema, name, lowest, highest)))
        return tantivy.Query.boolean_query(parts)

    @staticmethod
    def _labels(schema, labels: Sequence[str]) -> tantivy.Query:
        # Term queries walk their posting lists (and skip along them in an intersection); a
        # term-set query would first mark every document holding a label (2-4 ms at a million).
        terms = [tantivy.Query.term_query(schema, "labels", label) for label in labels]
        if len(terms) == 1:
            return terms[0]
        if not terms:
            return tantivy.Query.term_set_query(schema, "labels", [])
        return tantivy.Query.boolean_query([(SHOULD, term) for term in terms])

    @staticmethod
    def _range(schema, name: str, lowest: int | None, highest: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(schema, name, tantivy.FieldType.Unsigned, lowest, highest)

    @staticmethod
    def _term_set(schema, kind: str, name: str, values) -> tantivy.Query:
        if FIELDS[kind][name] == NUMBER:
            values = [int(v) for v in values]
        else:
            values = [str(v) for v in values]
        return tantivy.Query.term_set_query(schema, name, values)

    @staticmethod
    def _any_field(schema, texts: Sequence[str], fields: Sequence[str]) -> tantivy.Query:
        terms = [
            (SHOULD, tantivy.Query.term_query(schema, f, text, "basic"))
            for f in fields
            for text in texts
        ]
        return terms[0][1] if len(terms) == 1 else tantivy.Query.boolean_query(terms)

    def _word(self, schema, word, fields: Sequence[str]) -> tantivy.Query:
        whole = self._any_field(schema, (word.text, *word.alternatives), fields)
        if not word.pieces:
            return whole
        pieces = [(MUST, self._any_field(schema, (piece,), fields)) for piece in word.pieces]
        return tantivy.Query.boolean_query(
            [(SHOULD, whole), (SHOULD, tantivy.Query.boolean_query(pieces))]
        )

    def search(
        self, kind: str, match: Match, order: Order, limit: int, count: bool = False
    ) -> Hits:
        catalogue = self._catalogues[kind]
        query = self._query(kind, match)
        if order.after is not None:
            bound = int(order.after)
            lowest, highest = (None, bound - 1) if order.descending else (bound + 1, None)
            if highest is not None and highest < 0:
                return Hits(keys=[], count=0 if count else None)
            key_range = tantivy.Query.range_query(
                catalogue.schema, order.key, tantivy.FieldType.Unsigned, lowest, highest
            )
            query = tantivy.Query.boolean_query([(MUST, query), (MUST, key_range)])
        direction = tantivy.Order.Desc if order.descending else tantivy.Order.Asc
        result = catalogue.searcher().search(
            query,
            limit=max(limit, 1),
            count=count,
            order_by_field=order.key,
            offset=order.offset,
            order=direction,
        )
        keys = [key for key, _address in result.hits][:limit]
        return Hits(keys=keys, count=result.count if count else None)

    def counts(self, kind: str, match: Match, facets: Sequence[str]) -> Counts:
        searcher = self._catalogues[kind].searcher()
        query = self._query(kind, match)
        if not facets:
            # A constant score: counting needs no relevance (BM25 made a common word's count
            # take 21 ms instead of 6 at a million entries).
            unscored = tantivy.Query.const_score_query(query, 1.0)
            return Counts(total=searcher.search(unscored, limit=1, count=True).count)
        # One pass over the matches: the count is an aggregation beside the facets.
        spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in facets}
        spec[_TOTAL] = {"value_count": {"field": "id"}}
        found = searcher.aggregate(query, spec)
        return Counts(
            total=int(found[_TOTAL]["value"] or 0),
            facets={
                name: {_plain(b["key"]): b["doc_count"] for b in found[name]["buckets"]}
                for name in facets
            },
        )

    def grouped(self, kind: str, match: Match, outer: str, inner: str) -> dict[tuple, int]:
        spec = {
            "outer": {
                "terms": {"field": outer, "size": FACET_SIZE},
                "aggs": {"inner": {"terms": {"field": inner, "size": FACET_SIZE}}},
            }
        }
        found = self._catalogues[kind].searcher().aggregate(self._query(kind, match), spec)
        return {
            (_plain(o["key"]), _plain(i["key"])): i["doc_count"]
            for o in found["outer"]["buckets"]
            for i in o["inner"]["buckets"]
        }

    def prefixed(self, kind: str, field_name: str, prefix: str, match: Match, limit: int):
        searcher = self._catalogues[kind].searcher()
        return searcher.terms_with_prefix(
            field_name, prefix, filter_query=self._query(kind, match), limit=limit
        )

    # -- writes --------------------------------------------------------------------------------

    @contextmanager
    def writing(self, *, wait: float):
        with self._thread_lock:
            if self.root is None:
                yield
                return
            with open(self.root / "writer.lock", "a+") as handle:
                deadline = time.monotonic() + wait
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError as exc:
                        if time.monotonic() >= deadline:
                            raise Busy from exc
                        time.sleep(0.02)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def replace(self, kind: str, documents: Iterable[dict], deleted: Iterable[int]) -> None:
        """Call inside :meth:`writing`."""
        catalogue = self._catalogues[kind]
        writer = catalogue.open().writer(heap_size=WRITER_HEAP, num_threads=1)
        documents = list(documents)
        gone = {int(pk) for pk in deleted} | {int(values["id"]) for values in documents}
        try:
            if gone:
                # (A term deletion with a Python int does not reach an unsigned field.)
                ids = tantivy.Query.term_set_query(catalogue.schema, "id", sorted(gone))
                writer.delete_documents_by_query(ids)
            for values in documents:
                writer.add_document(_document(kind, values))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        catalogue.after_commit()

    def rebuild(self, kind: str, documents: Iterator[dict]) -> int:
        """Call inside :meth:`writing`."""
        catalogue = self._catalogues[kind]
        if catalogue.root is None:
            index = catalogue.index = tantivy.Index(catalogue.schema)
            path = None
        else:
            path = catalogue._new_generation()
            index = tantivy.Index(catalogue.schema, path=str(path))
        writer = index.writer(heap_size=REBUILD_HEAP, num_threads=0)
        count = 0
        try:
            for values in documents:
                writer.add_document(_document(kind, values))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
            raise
        finally:
            writer.wait_merging_threads()
        if path is not None:
            catalogue._publish(path)
        catalogue.after_commit()
        return count


def _plain(key):
    """Aggregation keys of unsigned fields come back as floats."""
    return int(key) if isinstance(key, float) and key.is_integer() else key
