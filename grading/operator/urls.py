from django.urls import path

from grading.operator import views

urlpatterns = [
    path("operation/", views.operation_home, name="operation-home"),
    path("operation/agreements/<int:pk>/usage/", views.agreement_usage, name="agreement-usage"),
]
