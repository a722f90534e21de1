"""Measure the main pages and API lists: queries issued and server-side latency.

Runs in-process through Django's test client against the configured database, as an anonymous
visitor and as a signed-in user, and prints one row per URL: queries, p50 and p95 milliseconds.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand
from django.db import connection, reset_queries
from django.test import Client

from catalog.models import Product, Resource

PATHS = [
    "/",
    "/resources/",
    "/resources/?q=数据",
    "/resources/?tier=open&page_size=100",
    "/resources/{resource}/",
    "/products/",
    "/products/{product}/",
    "/organizations/",
    "/api/v1/resources/",
    "/api/v1/resources/?page_size=100",
    "/api/v1/resources/{resource}/",
    "/api/v1/products/?page_size=100",
    "/api/v1/organizations/",
    "/api/v1/themes/",
]


class Command(BaseCommand):
    help = "Print queries and p50/p95 latency for the main pages and API lists."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--user", default="", help="Sign in as this user name.")
        parser.add_argument(
            "--path",
            action="append",
            default=[],
            help="Measure this path instead of the default list (repeatable).",
        )

    def handle(self, *args, runs: int, user: str, path: list[str], **options):
        client = Client(SERVER_NAME="127.0.0.1")
        if user:
            client.force_login(get_user_model().objects.get(username=user))
        ids = {
            "resource": Resource.objects.filter(status="published", tier="open").first().pk,
            "product": Product.objects.filter(status="listed").first().pk,
        }
        self.stdout.write(f"{'url':48} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for template in path or PATHS:
            self._measure(client, template.format(**ids), runs)

    def _measure(self, client, url: str, runs: int) -> None:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        timings = []
        for _ in range(runs):
            reset_queries()
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        self.stdout.write(
            f"{url:48} {response.status_code:>6} {len(queries):>7} "
            f"{statistics.median(timings):>8.1f} {p95:>8.1f}"
        )
