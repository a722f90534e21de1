from django.urls import path

from grading.merchants import product_views, views

app_name = "merchants"

urlpatterns = [
    path("merchants/", views.merchant_list, name="list"),
    path("merchants/register/", views.merchant_register, name="register"),
    path("merchants/mine/", views.merchant_mine, name="mine"),
    path("merchants/queue/", views.merchant_queue, name="queue"),
    path("merchants/products/new/", product_views.product_new, name="product-new"),
    path("merchants/products/review/", product_views.review_queue, name="product-review"),
    path(
        "merchants/products/<int:pk>/submit/",
        product_views.product_submit_view,
        name="product-submit",
    ),
    path("merchants/products/<int:pk>/price/", product_views.product_price, name="product-price"),
    path(
        "merchants/products/<int:pk>/review/", product_views.review_act, name="product-review-act"
    ),
    path("merchants/<slug:code>/", views.merchant_detail, name="detail"),
    path("merchants/<slug:code>/evidence/", views.merchant_evidence, name="evidence"),
    path("merchants/<slug:code>/act/", views.merchant_act, name="act"),
]
