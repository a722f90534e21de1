"""Record the expiry of authorized-operation agreements past their term (access already ended at
``valid_until``). Run it on a schedule, beside ``expire_grants``."""

from django.core.management import BaseCommand

from grading.operation.agreements import agreements_expire


class Command(BaseCommand):
    help = "Mark agreements past their term as expired, with an audit row and a notice each."

    def handle(self, *args, **options):
        count = agreements_expire()
        self.stdout.write(self.style.SUCCESS(f"{count} agreements marked expired."))
