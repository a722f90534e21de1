"""Sitemaps of what the anonymous public may see: resources, products, organizations and the
main pages. Each section is paged by ``CATALOG_SITEMAP_LIMIT`` URLs; when the whole site has
more URLs than that, ``/sitemap.xml`` becomes an index of the section pages."""

import dataclasses

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from catalog.interop import selectors as interop_selectors
from portal import links


class _PagedSitemap(Sitemap):
    # Every location is on SITE_URL, not on the Host header of the request that asked.
    def get_protocol(self, protocol=None) -> str:
        return "https" if links.site_is_https() else "http"

    def get_domain(self, site=None) -> str:
        return links.site_host()

    @property
    def limit(self) -> int:
        return settings.CATALOG_SITEMAP_LIMIT

    @cached_property
    def paginator(self) -> Paginator:
        # Once per request: deciding between a sitemap and an index counts the items already.
        return Paginator(self._items(), self.limit)


class ResourceSitemap(_PagedSitemap):
    def items(self):
        return interop_selectors.public_resources_for_sitemap()

    def location(self, item) -> str:
        return reverse("catalog:resource-detail", args=[item.pk])

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        # One aggregate instead of Django's loop over every item (the index asks for it).
        return self.items().aggregate(latest=Max("modified"))["latest"]


class ProductSitemap(_PagedSitemap):
    def items(self):
        return interop_selectors.public_products_for_sitemap()

    def location(self, item) -> str:
        return reverse("catalog:product-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class OrganizationSitemap(_PagedSitemap):
    def items(self):
        return interop_selectors.organizations_for_sitemap()

    def location(self, item) -> str:
        return reverse("catalog:organization-detail", args=[item.code])


class PageSitemap(_PagedSitemap):
    def items(self) -> list[str]:
        return [
            "home",
            "catalog:resource-list",
            "catalog:product-list",
            "catalog:organization-list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


SECTIONS = {
    "pages": PageSitemap,
    "resources": ResourceSitemap,
    "products": ProductSitemap,
    "organizations": OrganizationSitemap,
}


@require_safe
def sitemap(request):
    """One sitemap of every public URL, or an index of the section pages when there are more
    than ``CATALOG_SITEMAP_LIMIT``."""
    sections = {name: cls() for name, cls in SECTIONS.items()}
    urls = sum(section.paginator.count for section in sections.values())
    if urls > settings.CATALOG_SITEMAP_LIMIT:
        response = sitemap_views.index(
            request, sections, sitemap_url_name="catalog:sitemap-section"
        )
        # Django's index names the request's host; the section pages live on SITE_URL.
        response.context_data["sitemaps"] = [
            dataclasses.replace(item, location=links.rebased(item.location))
            for item in response.context_data["sitemaps"]
        ]
        return response
    return sitemap_views.sitemap(request, sections)


@require_safe
def sitemap_section(request, section: str):
    """One page (``?p=``) of one section; an unknown section or page is a 404."""
    return sitemap_views.sitemap(request, SECTIONS, section=section)
