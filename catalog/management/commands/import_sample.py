"""Write an import file of N entries built from the template's example row (for measuring)."""

import csv

from django.core.management import BaseCommand, CommandError

from catalog.publishing.importer import COLUMNS, EXAMPLE_ROW


class Command(BaseCommand):
    help = "Write a CSV import file of N entries (codes SAMPLE-000001…) for measuring imports."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("file")
        parser.add_argument("--theme", default=EXAMPLE_ROW["theme"], help="theme code to use")

    def handle(self, *args, count: int, file: str, theme: str, **options):
        if count < 1:
            raise CommandError("count must be at least 1")
        with open(file, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for i in range(1, count + 1):
                title = f"{EXAMPLE_ROW['title']}（样例{i}）"
                writer.writerow(
                    {**EXAMPLE_ROW, "code": f"SAMPLE-{i:06d}", "title": title, "theme": theme}
                )
        self.stdout.write(self.style.SUCCESS(f"{count} entries written to {file}."))
