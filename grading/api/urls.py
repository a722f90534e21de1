from rest_framework.routers import SimpleRouter

from grading.api import views
from grading.applications import api as applications
from grading.crossborder import api as crossborder
from grading.feedback import api as feedback
from grading.merchants import api as merchants
from grading.operation import api as operation
from grading.requests import api as product_requests
from grading.showcase import api as showcase

app_name = "grading-api"

router = SimpleRouter(trailing_slash=True)
router.register("applications", applications.ApplicationViewSet, basename="application")
router.register("grants", views.GrantViewSet, basename="grant")
router.register("feedback", feedback.FeedbackViewSet, basename="feedback")
router.register("merchants", merchants.MerchantViewSet, basename="merchant")
router.register(
    "operation-applications",
    operation.OperationApplicationViewSet,
    basename="operation-application",
)
router.register("agreements", operation.AgreementViewSet, basename="agreement")
router.register(
    "product-requests", product_requests.ProductRequestViewSet, basename="product-request"
)
router.register("showcases", showcase.ShowcaseViewSet, basename="showcase")
router.register(
    "cross-border/clearances", crossborder.ClearanceViewSet, basename="crossborder-clearance"
)
router.register(
    "cross-border/assessments", crossborder.AssessmentViewSet, basename="crossborder-assessment"
)
router.register("cross-border/filings", crossborder.FilingViewSet, basename="crossborder-filing")

urlpatterns = router.urls
