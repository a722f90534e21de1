from django.urls import re_path
from rest_framework.routers import DefaultRouter

from catalog.api import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("products", views.ProductViewSet, basename="product")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("themes", views.ThemeViewSet, basename="theme")

urlpatterns = [
    # Any path segment reaches the view, so a malformed id is the API's JSON 404.
    re_path(r"^resources/(?P<pk>[^/]+)/rows/$", views.ResourceRowsView.as_view(), name="rows"),
    *router.urls,
]
