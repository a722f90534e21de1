from django.urls import include, path

from grading import views
from grading.applications import views as applications
from grading.feedback import views as feedback_views
from grading.requests import views as requests
from grading.showcase import views as showcase

app_name = "grading"

urlpatterns = [
    path("applications/", applications.application_list, name="application-list"),
    path("applications/new/", applications.application_new, name="application-new"),
    path("applications/queue/", applications.review_queue, name="review-queue"),
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path("products/<int:pk>/request/", requests.request_new, name="request-new"),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("showcase/", showcase.showcase_list, name="showcase-list"),
    path("showcase/new/", showcase.showcase_new, name="showcase-new"),
    path("showcase/queue/", showcase.showcase_queue, name="showcase-queue"),
    path("showcase/<int:pk>/", showcase.showcase_detail, name="showcase-detail"),
    path("grants/", views.grant_list, name="grant-list"),
    path("notices/", views.notice_list, name="notice-list"),
    path("audit/", views.audit_log, name="audit-log"),
    path(
        "feedback/resources/<int:pk>/<str:kind>/",
        feedback_views.feedback_new,
        name="feedback-new",
    ),
    path(
        "feedback/products/<int:pk>/complaint/",
        feedback_views.product_complaint,
        name="feedback-product-complaint",
    ),
    path(
        "feedback/request/",
        feedback_views.feedback_new,
        {"kind": "request"},
        name="feedback-request",
    ),
    path("feedback/<int:pk>/", feedback_views.feedback_detail, name="feedback-detail"),
    path("feedback/<int:pk>/evidence/", feedback_views.feedback_evidence, name="feedback-evidence"),
    path("workspace/feedback/", feedback_views.feedback_inbox, name="feedback-inbox"),
    path(
        "organizations/<slug:code>/feedback/",
        feedback_views.organization_feedback,
        name="organization-feedback",
    ),
    path("", include("grading.operator.urls")),
    path("", include("grading.supervision.urls")),
]
