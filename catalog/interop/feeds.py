"""The Atom feed of new and updated data resources. Feeds are public: they list what the
anonymous public may see, whoever asks. Texts are stripped of control characters, which XML
cannot hold (Django refuses to write them)."""

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from catalog.interop import selectors as interop_selectors
from catalog.validators import plain_text
from portal import links

FEED_LENGTH = 50


def _midnight(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ResourceFeed(Feed):
    """The 50 most recently modified entries the anonymous public may see. Every link is
    absolute on SITE_URL, so Django does not prefix the request's host."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return plain_text(f"{settings.PORTAL_NAME} · {_('Data resources')}")

    def link(self) -> str:
        return links.absolute(reverse("catalog:resource-list"))

    def feed_url(self) -> str:
        return links.absolute(reverse("catalog:resource-feed"))

    def items(self):
        return interop_selectors.newest_public_resources(limit=FEED_LENGTH)

    def item_title(self, item) -> str:
        return plain_text(item.display_title)

    def item_description(self, item) -> str:
        return plain_text(item.display_abstract)

    def item_link(self, item) -> str:
        return links.absolute(reverse("catalog:resource-detail", args=[item.pk]))

    def item_updateddate(self, item):
        return _midnight(item.modified)

    def item_pubdate(self, item):
        return _midnight(item.issued) or item.created_at

    def item_author_name(self, item) -> str:
        return plain_text(item.provider.display_name)

    def item_author_link(self, item) -> str:
        return links.absolute(reverse("catalog:organization-detail", args=[item.provider.code]))

    def item_categories(self, item) -> list[str]:
        return [plain_text(text) for text in (item.theme.display_name, *item.keyword_list)]


class ResourceChangesFeed(Feed):
    """The changes of one entry the anonymous public may see (its versions kept while public,
    newest first), so a feed reader can follow it; 404 for an entry the public may not see."""

    feed_type = Atom1Feed

    def get_object(self, request, pk: int):
        return interop_selectors.public_resource(pk=pk)

    def title(self, obj) -> str:
        return plain_text(f"{obj.display_title} · {_('Changes')}")

    def link(self, obj) -> str:
        return links.absolute(reverse("catalog:resource-detail", args=[obj.pk]))

    def feed_url(self, obj) -> str:
        return links.absolute(reverse("catalog:resource-changes-feed", args=[obj.pk]))

    def items(self, obj):
        return interop_selectors.public_versions(resource=obj, limit=FEED_LENGTH)

    def item_title(self, item) -> str:
        return plain_text(f"{_('Version')} {item.number}: {_(item.summary)}")

    def item_description(self, item) -> str:
        return plain_text(_(item.summary))

    def item_link(self, item) -> str:
        url = reverse("catalog:resource-detail", args=[item.resource_id])
        return links.absolute(f"{url}#history")

    def item_guid(self, item) -> str:
        url = reverse("catalog:resource-detail", args=[item.resource_id])
        return links.absolute(f"{url}#version-{item.number}")

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.created_at

    def item_pubdate(self, item):
        return item.created_at
