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
