"""Account pages under ``/accounts/``. No namespace: Django's own auth views reverse their
names (``password_reset_done`` …) without one."""

from django.contrib.auth import views as auth_views
from django.urls import path

from grading.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("register/", views.register, name="account-register"),
    path("register/individual/", views.register_individual, name="account-register-individual"),
    path("register/enterprise/", views.register_enterprise, name="account-register-enterprise"),
    path("", views.account, name="account"),
    path("confirm/resend/", views.email_confirmation_resend, name="account-email-resend"),
    path("confirm/<str:token>/", views.email_confirm, name="account-email-confirm"),
    path("api-keys/", views.api_keys, name="account-api-keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="account-api-key-revoke"),
    path("enterprises/", views.enterprise_review, name="account-enterprise-review"),
    path("enterprises/<int:pk>/verify/", views.enterprise_verify, name="account-enterprise-verify"),
    path(
        "enterprises/<int:pk>/unverify/",
        views.enterprise_unverify,
        name="account-enterprise-unverify",
    ),
    path("enterprises/<int:pk>/reject/", views.enterprise_reject, name="account-enterprise-reject"),
]
