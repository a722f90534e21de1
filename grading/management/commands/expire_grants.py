"""Record the expiry of grants past their term (access already ended at ``valid_until``)."""

from django.core.management import BaseCommand

from grading.services import grants_expire


class Command(BaseCommand):
    help = "Mark active grants past their term as expired, with an audit row each."

    def handle(self, *args, **options):
        count = grants_expire()
        self.stdout.write(self.style.SUCCESS(f"{count} grants marked expired."))
