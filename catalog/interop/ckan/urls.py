from django.urls import path

from catalog.interop.ckan import views

app_name = "ckan"

# No trailing slash, as in CKAN: /api/3/action/package_search, /api/action/package_search.
urlpatterns = [
    path("3/action/<str:name>", views.action, name="action"),
    path("action/<str:name>", views.action, name="action-unversioned"),
]
