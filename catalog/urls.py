from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("resources/", views.resource_list, name="resource-list"),
    path("resources/<int:pk>/", views.resource_detail, name="resource-detail"),
    path(
        "resources/<int:pk>/distributions/<int:distribution_pk>/download/",
        views.distribution_download,
        name="distribution-download",
    ),
    path("products/", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/<slug:code>/", views.organization_detail, name="organization-detail"),
]
