from django.urls import re_path
from rest_framework.routers import DefaultRouter

from catalog.api import views
from catalog.api.products import ProductWriteViewSet
from catalog.api.resources_write import ResourceWriteViewSet
from grading.accounts.api import APIKeyViewSet

app_name = "api"


class _Router(DefaultRouter):
    APIRootView = views.APIRootView


router = _Router(trailing_slash=True)
router.register("resources", ResourceWriteViewSet, basename="resource")
router.register("products", ProductWriteViewSet, basename="product")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("api-keys", APIKeyViewSet, basename="api-key")

urlpatterns = [
    # Any path segment reaches the view, so a malformed id is the API's JSON 404.
    re_path(r"^resources/(?P<pk>[^/]+)/rows/$", views.ResourceRowsView.as_view(), name="rows"),
    re_path(r"^suggest/$", views.SuggestView.as_view(), name="suggest"),
    *router.urls,
]
