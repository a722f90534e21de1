from rest_framework.routers import SimpleRouter

from grading.api import views
from grading.applications import api as applications
from grading.feedback import api as feedback
from grading.merchants import api as merchants

app_name = "grading-api"

router = SimpleRouter(trailing_slash=True)
router.register("applications", applications.ApplicationViewSet, basename="application")
router.register("grants", views.GrantViewSet, basename="grant")
router.register("feedback", feedback.FeedbackViewSet, basename="feedback")
router.register("merchants", merchants.MerchantViewSet, basename="merchant")

urlpatterns = router.urls
