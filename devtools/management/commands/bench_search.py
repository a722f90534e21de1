"""Benchmark search, facets, deep pages and detail on the current catalogue.

Runs in-process through Django's test client against the configured database (server time
only: routing, policy, SQL, serialization and templates; no network). For each scenario and
each caller it prints p50/p95/p99 in milliseconds and the number of SQL queries; at the end, the
process's peak resident memory. Create the catalogue first with ``generate_catalog``.
"""

import datetime as dt
import json
import resource as rusage
import statistics
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from catalog.models import Resource, Theme
from grading.models import Grant

GRANTEE = "bench-grantee"


def _percentile(sorted_ms: list[float], fraction: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(round(fraction * (len(sorted_ms) - 1))))]


class Command(BaseCommand):
    help = "Print p50/p95/p99 latency of search, facets, deep pages and detail."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--deep", type=int, default=50, help="Page number of the deep page.")
        parser.add_argument("--json", dest="json_path", default="", help="Also write results.")
        parser.add_argument(
            "--cached",
            action="store_true",
            help="Keep the anonymous page cache on (off by default).",
        )

    def handle(self, *args, runs: int, deep: int, json_path: str, cached: bool, **options):
        if not cached:
            # Measure the work, not the caches (the page cache and the facet-count cache).
            settings.ANONYMOUS_CACHE_SECONDS = 0
            settings.QUERY_CACHE_SECONDS = 0
        if not Resource.objects.exists():
            raise CommandError("The catalogue is empty: run generate_catalog first.")
        callers = {"anonymous": Client(SERVER_NAME="127.0.0.1"), "grantee": self._grantee()}
        results = []
        header = f"{'caller':10} {'scenario':34} {'queries':>7} {'p50':>8} {'p95':>8} {'p99':>8}"
        self.stdout.write(f"{Resource.objects.count():,} resources; times in ms\n{header}")
        for caller, client in callers.items():
            for name, url in self._scenarios(client, deep):
                row = self._measure(client, url, runs)
                row.update(caller=caller, scenario=name, url=url)
                results.append(row)
                self.stdout.write(
                    f"{caller:10} {name:34} {row['queries']:>7} {row['p50']:>8.1f} "
                    f"{row['p95']:>8.1f} {row['p99']:>8.1f}"
                )
        row = self._after_write(callers["anonymous"], runs)
        results.append(row)
        self.stdout.write(
            f"{'anonymous':10} {row['scenario']:34} {row['queries']:>7} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['p99']:>8.1f}"
        )
        peak_mb = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"peak memory: {peak_mb:.0f} MB")
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump({"results": results, "peak_mb": peak_mb}, handle, ensure_ascii=False)

    def _grantee(self) -> Client:
        """A signed-in enterprise user holding a grant over 20 conditional resources."""
        user, _created = get_user_model().objects.get_or_create(username=GRANTEE)
        if not Grant.objects.filter(grantee=user).exists():
            now = timezone.now()
            grant = Grant.objects.create(
                grantee=user,
                allow_download=True,
                allow_query=True,
                valid_from=now - dt.timedelta(days=1),
                valid_until=now + dt.timedelta(days=365),
            )
            ids = Resource.objects.filter(tier="conditional", status="published")
            grant.resources.set(ids.values_list("pk", flat=True)[:20])
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        return client

    def _scenarios(self, client, deep: int) -> list[tuple[str, str]]:
        theme = Theme.objects.filter(parent__isnull=True).order_by("pk").first()
        some = Resource.objects.filter(status="published", tier="open").order_by("pk").first()
        return [
            ("api search, 2-char 空气", "/api/v1/resources/?q=空气"),
            ("api search, 4-char 空气质量", "/api/v1/resources/?q=空气质量"),
            ("api search, English", "/api/v1/resources/?q=air%20quality"),
            (
                "api search + theme + tier",
                f"/api/v1/resources/?q=交通&theme={theme.code}&tier=open",
            ),
            ("page search + facets, 空气", "/resources/?q=空气"),
            ("page search + facets, 北京 交通", "/resources/?q=北京%20交通"),
            ("page facets, no query", "/resources/"),
            ("page search + facets, 数据 (common)", "/resources/?q=数据"),
            ("page search + facets, 每月 (common)", "/resources/?q=每月"),
            ("api search, 数据 (common)", "/api/v1/resources/?q=数据"),
            ("api list, no query", "/api/v1/resources/"),
            ("products page search, 数据", "/products/?q=数据"),
            ("api products search, 数据", "/api/v1/products/?q=数据"),
            ("suggest 空", "/api/v1/suggest/?q=空"),
            ("suggest 北京 交", "/api/v1/suggest/?q=北京%20交"),
            ("resource map", "/map/"),
            (
                "ckan package_search + facets",
                "/api/3/action/package_search?q=空气"
                "&facet.field=%5B%22organization%22%2C%22res_format%22%5D",
            ),
            (f"api deep page {deep}", self._deep_url(client, deep)),
            ("api detail", f"/api/v1/resources/{some.pk}/"),
            ("page detail", f"/resources/{some.pk}/"),
        ]

    def _deep_url(self, client, pages: int) -> str:
        url = "/api/v1/resources/?page_size=20"
        for _ in range(pages - 1):
            following = client.get(url).json().get("next")
            if not following:
                break
            parts = urlsplit(following)
            url = f"{parts.path}?{parts.query}"
        return url

    def _after_write(self, client, runs: int) -> dict:
        """The catalogue page right after a write: each run saves an entry (its outbox row is
        indexed once the save commits, as in a request) and then times the page."""
        resource = Resource.objects.filter(status="published").order_by("-pk").first()
        timings = []
        for _ in range(runs):
            resource.save(update_fields=["search_title"])
            start = time.perf_counter()
            status = client.get("/resources/").status_code
            timings.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise CommandError(f"/resources/ answered {status}")
        timings.sort()
        return {
            "caller": "anonymous",
            "scenario": "page, no query, after a write",
            "url": "/resources/",
            "queries": 0,
            "p50": statistics.median(timings),
            "p95": _percentile(timings, 0.95),
            "p99": _percentile(timings, 0.99),
        }

    def _measure(self, client, url: str, runs: int) -> dict:
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            status = client.get(url).status_code
        if status != 200:
            raise CommandError(f"{url} answered {status}")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        return {
            "queries": len(queries),
            "p50": statistics.median(timings),
            "p95": _percentile(timings, 0.95),
            "p99": _percentile(timings, 0.99),
        }
