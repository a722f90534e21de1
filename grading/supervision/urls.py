from django.urls import path

from grading.supervision import views

urlpatterns = [
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/export/", views.supervision_export, name="supervision-export"),
]
