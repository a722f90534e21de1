"""The portal's own state: the catalogue version that keys every cached anonymous answer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogVersion(models.Model):
    """One row whose ``number`` grows with every catalogue change. It lives in the database,
    not in a cache, so every process (every server worker, every command) sees a change as
    soon as it is committed, a change rolled back never counts, and no cache eviction can
    bring an old number back."""

    number = models.BigIntegerField(_("version number"), default=1)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return str(self.number)


# The background jobs' models live with their code (portal.jobs); Django finds them here.
from portal.jobs.models import Job, ScheduleRun  # noqa: E402, F401
