"""API of authorized operation: applications (with their agencies' parts) and agreements; thin
views over ``grading.operation.selectors`` and the services. A step from the wrong state
answers 409 with ``current_state``; who may take it is the policy's question (403)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.api.schema import ERROR
from grading import policy
from grading.operation import agreements, selectors, services
from grading.operation import serializers as s
from portal.pagination import ProductCursorPagination

CONFLICT = OpenApiResponse(ERROR, description="Not in a state this starts from: current_state.")
PART = OpenApiParameter("part_id", int, OpenApiParameter.PATH, description="The part's id.")


def _step_schema(request, out):
    return extend_schema(request=request, responses={200: out, 409: CONFLICT})


class OperationApplicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Applications for authorized operation the caller may see: its organization's, those
    with a part of the caller's agency, and all submitted ones for platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.OperationApplicationOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.application_queryset(user=self.request.user)

    def _out(self, application, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.application_detail(user=self.request.user, pk=application.pk)
        return Response(s.OperationApplicationOut(fresh).data, status=code)

    @extend_schema(request=s.OperationApplicationIn, responses={201: s.OperationApplicationOut})
    def create(self, request):
        """Apply (a draft, or submitted at once with ``submit``), on behalf of a verified
        enterprise the caller works for."""
        data = s.OperationApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        applicant = self._applicant(fields.pop("applicant", None))
        scope = selectors.named_scope(
            user=request.user, **{k: fields.pop(k) for k in ("resources", "themes", "agencies")}
        )
        application = services.operation_application_create(
            actor=request.user,
            applicant=applicant,
            submit=fields.pop("submit"),
            data=fields,
            **scope,
        )
        return self._out(application, status.HTTP_201_CREATED)

    def _applicant(self, pk):
        orgs = policy.operation_applicant_orgs(self.request.user).order_by("pk")
        applicant = orgs.filter(pk=pk).first() if pk else orgs.first()
        if applicant is None:
            raise exceptions.PermissionDenied(
                _("Only staff of a verified enterprise may apply for authorized operation.")
            )
        return applicant

    def _act(self, request, name):
        data = s.OperationReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.operation_application_act(
            actor=request.user,
            application=self.get_object(),
            action=name,
            reason=data.validated_data["reason"],
        )
        return self._out(application)

    @_step_schema(s.OperationReasonIn, s.OperationApplicationOut)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft or a returned application (the applicant's staff)."""
        return self._act(request, "submit")

    @_step_schema(s.OperationReasonIn, s.OperationApplicationOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the application (the applicant's staff)."""
        return self._act(request, "withdraw")

    @_step_schema(s.OperationReasonIn, s.OperationApplicationOut)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_correction(self, request, pk=None):
        """Return it for correction, stating the reason (platform administrators)."""
        return self._act(request, "return")

    @_step_schema(s.OperationReasonIn, s.OperationApplicationOut)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Pass the formal check: each agency's part goes to its reviewers."""
        return self._act(request, "check")

    @_step_schema(s.IssueIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue the agreement of a decided application (platform administrators)."""
        data = s.IssueIn(data=request.data)
        data.is_valid(raise_exception=True)
        terms = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        agreement = agreements.agreement_issue(
            actor=request.user, application=self.get_object(), data=terms
        )
        fresh = selectors.agreement_detail(user=request.user, pk=agreement.pk)
        return Response(s.AgreementOut(fresh).data)

    def _part(self, request, part_id, name, approved=None):
        data = (s.ApproveIn if name == "approve" else s.OperationReasonIn)(data=request.data)
        data.is_valid(raise_exception=True)
        application = self.get_object()
        part = selectors.part_detail(user=request.user, application=application, pk=int(part_id))
        services.operation_part_act(
            actor=request.user,
            part=part,
            action=name,
            reason=data.validated_data["reason"],
            approved=data.validated_data.get("resources"),
        )
        return self._out(application)

    @extend_schema(
        request=s.ApproveIn,
        responses={200: s.OperationApplicationOut, 409: CONFLICT},
        parameters=[PART],
    )
    @action(detail=True, methods=["post"], url_path=r"parts/(?P<part_id>\d+)/approve")
    def approve_part(self, request, pk=None, part_id=None):
        """Approve the part (or the entries named) (reviewers of the part's agency)."""
        return self._part(request, part_id, "approve")

    @extend_schema(
        request=s.OperationReasonIn,
        responses={200: s.OperationApplicationOut, 409: CONFLICT},
        parameters=[PART],
    )
    @action(detail=True, methods=["post"], url_path=r"parts/(?P<part_id>\d+)/reject")
    def reject_part(self, request, pk=None, part_id=None):
        """Reject the part, stating the reason (reviewers of the part's agency)."""
        return self._part(request, part_id, "reject")

    @extend_schema(
        request=s.OperationReasonIn,
        responses={200: s.OperationApplicationOut, 409: CONFLICT},
        parameters=[PART],
    )
    @action(detail=True, methods=["post"], url_path=r"parts/(?P<part_id>\d+)/request_info")
    def request_info_part(self, request, pk=None, part_id=None):
        """Ask the applicant a question; the part's clock pauses (its agency's reviewers)."""
        return self._part(request, part_id, "request_info")

    @extend_schema(
        request=s.OperationReasonIn,
        responses={200: s.OperationApplicationOut, 409: CONFLICT},
        parameters=[PART],
    )
    @action(detail=True, methods=["post"], url_path=r"parts/(?P<part_id>\d+)/respond")
    def respond_part(self, request, pk=None, part_id=None):
        """Answer the agency's question; its clock runs again (the applicant's staff)."""
        return self._part(request, part_id, "respond")


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Authorized-operation agreements the caller may see: its organization's; all of them for
    platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.AgreementOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.agreement_queryset(user=self.request.user)

    def _act(self, request, name):
        data = s.OperationReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreements.agreement_act(
            actor=request.user,
            agreement=self.get_object(),
            action=name,
            reason=data.validated_data["reason"],
        )
        fresh = selectors.agreement_detail(user=request.user, pk=agreement.pk)
        return Response(s.AgreementOut(fresh).data)

    @_step_schema(s.OperationReasonIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign an issued agreement; it is active at once (the operator's staff)."""
        return self._act(request, "sign")

    @_step_schema(s.OperationReasonIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend an active agreement, stating the reason (platform administrators)."""
        return self._act(request, "suspend")

    @_step_schema(s.OperationReasonIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Resume a suspended agreement (platform administrators)."""
        return self._act(request, "resume")

    @_step_schema(s.OperationReasonIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke the agreement for good, stating the reason (platform administrators)."""
        return self._act(request, "revoke")

    @_step_schema(s.OperationReasonIn, s.AgreementOut)
    @action(detail=True, methods=["post"])
    def expire(self, request, pk=None):
        """Record the end of an agreement whose term has passed (platform administrators)."""
        return self._act(request, "expire")

    @extend_schema(request=s.RenewIn, responses={201: s.OperationApplicationOut, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Request renewal before expiry: a new application for the agreement's scope,
        submitted at once when the undertaking is accepted (the operator's staff)."""
        data = s.RenewIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = agreements.agreement_renew(
            actor=request.user, agreement=self.get_object(), data=data.validated_data
        )
        fresh = selectors.application_detail(user=request.user, pk=application.pk)
        return Response(s.OperationApplicationOut(fresh).data, status=status.HTTP_201_CREATED)
