from django.urls import path, re_path

from catalog.publishing import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("resources/new/", views.resource_new, name="resource-new"),
    path("resources/<int:pk>/", views.resource_manage, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path("resources/<int:pk>/fields/", views.dictionary_edit, name="dictionary"),
    path("resources/<int:pk>/fields/new/", views.field_edit, name="field-new"),
    path("resources/<int:pk>/fields/<int:field_pk>/", views.field_edit, name="field-edit"),
    path(
        "resources/<int:pk>/fields/<int:field_pk>/remove/",
        views.field_remove,
        name="field-remove",
    ),
    path("resources/<int:pk>/links/new/", views.distribution_link, name="link-new"),
    path("resources/<int:pk>/files/new/", views.distribution_upload, name="upload-new"),
    path(
        "resources/<int:pk>/files/<int:distribution_pk>/",
        views.distribution_upload,
        name="upload-version",
    ),
    re_path(
        r"^resources/(?P<pk>[0-9]+)/(?P<action>submit|return|publish|withdraw)/$",
        views.transition,
        name="transition",
    ),
]
