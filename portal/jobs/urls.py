from django.urls import path, re_path

from portal.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_page, name="detail"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/download/", views.job_download, name="download"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export_start, name="export"),
    path("start/", views.job_start, name="start"),
]
