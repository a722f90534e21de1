"""Pages of cross-border data flow under /cross-border/."""

from django.urls import path

from grading.crossborder import staff_views, views

app_name = "crossborder"

urlpatterns = [
    path("", views.clearance_list, name="list"),
    path("assess/", views.assessment_new, name="assess"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/file/", views.filing_new, name="filing-new"),
    path("mine/", views.my_filings, name="mine"),
    path("filings/", staff_views.supervision, name="supervision"),
    path("filings/export.csv", staff_views.supervision_export, name="supervision-export"),
    path("filings/<int:pk>/", views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/evidence/", views.filing_evidence, name="filing-evidence"),
    path("clear/", staff_views.clearance_manage, name="clear"),
    path("clear/<int:pk>/withdraw/", staff_views.clearance_withdraw, name="clearance-withdraw"),
]
