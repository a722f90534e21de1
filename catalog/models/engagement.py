"""How much each entry is used (views, downloads, row-API calls, per day and in all) and who
follows it for update notices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.resources import Resource


class ResourceDailyCount(models.Model):
    """Uses of one entry on one day, added to with ``F()`` by ``catalog.engagement.services``
    (one UPDATE per use; a row is created the first time a day is counted)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="daily_counts")
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)

    class Meta:
        verbose_name = _("daily use count")
        verbose_name_plural = _("daily use counts")
        constraints = [
            models.UniqueConstraint(fields=["resource", "day"], name="daily_count_resource_day")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.day}"


class ResourceFollow(models.Model):
    """A user following an entry: an in-app notice and an e-mail when it gets a new file
    version or distribution (while the policy still shows them the entry)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_resources"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("followed entry")
        verbose_name_plural = _("followed entries")
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="follow_user_resource")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.resource_id}"
