from django.urls import path

from grading import views

app_name = "grading"

urlpatterns = [
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_new, name="application-new"),
    path("applications/queue/", views.review_queue, name="review-queue"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("grants/", views.grant_list, name="grant-list"),
    path("notices/", views.notice_list, name="notice-list"),
    path("audit/", views.audit_log, name="audit-log"),
]
