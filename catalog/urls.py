from django.urls import path, re_path

from catalog import views
from catalog.interop import feeds, sitemaps

app_name = "catalog"

urlpatterns = [
    path("resources/", views.resource_list, name="resource-list"),
    re_path(
        r"^resources/export\.(?P<fmt>csv|xlsx)$", views.resource_export, name="resource-export"
    ),
    path("resources/<int:pk>/", views.resource_detail, name="resource-detail"),
    re_path(
        r"^resources/(?P<pk>[0-9]+)\.(?P<fmt>ttl|jsonld|rdf)$",
        views.resource_rdf,
        name="resource-rdf",
    ),
    re_path(r"^catalog\.(?P<fmt>ttl|jsonld|rdf)$", views.catalog_rdf, name="catalog-rdf"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("feeds/resources.atom", feeds.ResourceFeed(), name="resource-feed"),
    path(
        "feeds/resources/<int:pk>.atom",
        feeds.ResourceChangesFeed(),
        name="resource-changes-feed",
    ),
    path("resources/<int:pk>/follow/", views.resource_follow, name="resource-follow"),
    path(
        "resources/<int:pk>/distributions/<int:distribution_pk>/download/",
        views.distribution_download,
        name="distribution-download",
    ),
    path(
        "resources/<int:pk>/distributions/<int:distribution_pk>/versions/<int:number>/download/",
        views.distribution_version_download,
        name="distribution-version-download",
    ),
    path("products/", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/<slug:code>/", views.organization_detail, name="organization-detail"),
]
