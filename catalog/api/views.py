"""API views for reading the catalogues, thin wrappers around the selectors; the write view
sets (``resources_write.py``, ``products.py``) extend the resource and product ones."""

import logging

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import filters, routers, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalog import selectors
from catalog.api import serializers
from catalog.api.renderers import RowsCSVRenderer
from catalog.api.schema import DETAIL_ERRORS, LIST_ERRORS, ROWS_PARAMETERS, ROWS_RESPONSES
from catalog.engagement.services import usage_count
from catalog.filters import ProductFilter, ResourceFilter
from catalog.rows import selectors as row_selectors
from catalog.search import catalogue as search
from catalog.search import suggestions
from grading import policy
from grading.services import access_record
from portal import links, pagination

access_log = logging.getLogger("portal.access")


class _SearchList:
    """``list`` answered by the search engine: the filterset validates the query string (400
    with its errors), ``catalog.search.catalogue`` finds the page for the caller's labels, and
    the rows come from ``get_queryset`` (the policy's)."""

    search_kind = ""

    def _match(self, data: dict):
        raise NotImplementedError

    def _ordering(self, request) -> tuple[str, bool, bool]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()  # the policy's rows, built once per request
        filterset = self.filterset_class(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        paginator = self.paginator
        key, descending, relevance = self._ordering(request)
        try:
            found = search.page(
                self.search_kind,
                match=self._match(filterset.form.cleaned_data),
                queryset=queryset,
                key=key,
                descending=descending,
                relevance=relevance,
                cursor=request.query_params.get("cursor"),
                size=paginator.get_page_size(request),
            )
        except search.InvalidCursor as exc:
            raise ValidationError({"cursor": paginator.invalid_cursor_message}) from exc
        base = links.absolute_current(request)
        return Response(
            {
                "count": found.total,
                "next": _cursor_link(base, found.next_cursor),
                "previous": _cursor_link(base, found.previous_cursor),
                "results": self.get_serializer(found.rows, many=True).data,
            }
        )


def _cursor_link(base: str, token: str | None) -> str | None:
    return replace_query_param(base, "cursor", token) if token else None


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.ResourceListSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: serializers.ResourceDetailSerializer, **DETAIL_ERRORS}),
)
class ResourceViewSet(_SearchList, viewsets.ReadOnlyModelViewSet):
    """Data resources the caller may see: open and conditional entries for everyone, more for
    staff. ``download_url`` appears only where the caller may download."""

    # The paginator appends ``-id`` to any ordering, so pages are stable and keyset-able.
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ResourceFilter
    ordering_fields = ["modified", "title", "record_count", "quality_score", "download_count"]
    ordering = ["-modified", "-id"]
    pagination_class = pagination.SearchPagination
    search_kind = search.RESOURCES

    def _match(self, data):
        return search.resource_match(self.request.user, data)

    def _ordering(self, request):
        return search.resource_ordering(
            request.query_params.get("ordering"), relevance_default=True
        )

    def get_queryset(self):
        queryset = selectors.resource_queryset(user=self.request.user)
        if self.action == "retrieve":
            return queryset.prefetch_related("fields", "distributions")
        return queryset.prefetch_related("distributions")

    def get_serializer_context(self):
        # Grades go out to the callers the rule-book shows them to, and to no one else.
        show_grades = policy.can_see_grades(self.request.user)
        return {**super().get_serializer_context(), "show_grades": show_grades}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ResourceDetailSerializer
        return serializers.ResourceListSerializer


@extend_schema_view(
    list=extend_schema(responses={200: serializers.ProductSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: serializers.ProductDetailSerializer, **DETAIL_ERRORS}),
)
class ProductViewSet(_SearchList, viewsets.ReadOnlyModelViewSet):
    """Listed data products (and, for the provider's staff, their unlisted ones); one product
    with its price history."""

    serializer_class = serializers.ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = pagination.SearchPagination
    search_kind = search.PRODUCTS

    def _match(self, data):
        return search.product_match(self.request.user, data)

    def _ordering(self, request):
        return "by_id", True, True

    def get_queryset(self):
        rows = selectors.product_queryset(user=self.request.user)
        return rows.prefetch_related("prices") if self.action == "retrieve" else rows

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ProductDetailSerializer
        return serializers.ProductSerializer


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.OrganizationSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: serializers.OrganizationSerializer, **DETAIL_ERRORS}),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies and enterprises, with the number of resources the caller may see."""

    serializer_class = serializers.OrganizationSerializer
    lookup_field = "code"
    filter_backends = []
    pagination_class = pagination.NameCursorPagination

    def get_queryset(self):
        return selectors.organization_queryset(user=self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.ThemeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: serializers.ThemeSerializer, **DETAIL_ERRORS}),
)
class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Data domains (themes), with the number of resources the caller may see."""

    serializer_class = serializers.ThemeSerializer
    lookup_field = "code"
    filter_backends = []
    pagination_class = pagination.NameCursorPagination

    def get_queryset(self):
        return selectors.theme_queryset(user=self.request.user)


class ResourceRowsView(APIView):
    """Rows of the resource's tabular data (its newest CSV file, loaded on publication).

    Filter with ``?<field>=value``, ``?<field>__gte=`` and ``?<field>__lte=`` (English field
    names of the data dictionary), sort with ``?ordering=<field>`` or ``-<field>``, and follow
    ``next`` for the following page. ``?format=csv`` (or ``Accept: text/csv``) answers CSV
    with the next page in a ``Link`` header. Fields above the grade the caller may see are
    null and cannot be filtered or sorted; CSV never carries fields above L2.
    """

    renderer_classes = [JSONRenderer, RowsCSVRenderer]

    @extend_schema(
        operation_id="v1_resources_rows_list",
        parameters=ROWS_PARAMETERS,
        responses=ROWS_RESPONSES,
    )
    def get(self, request, pk: str):
        export = request.accepted_renderer.format == "csv"
        page = row_selectors.resource_rows(
            user=request.user,
            pk=_resource_pk(pk),
            params=request.query_params,
            base_url=links.absolute_current(request),
            export=export,
        )
        access_record(
            user=request.user,
            resource=page.resource,
            action="query",
            detail={"rows": len(page.rows), "params": request.query_params.urlencode()[:500]},
        )
        # The entry page's explorer reads through this API too; those reads are page use,
        # not API calls (the header only ever spares a count).
        if request.headers.get("X-Portal-Explorer") != "1":
            usage_count(resource_id=page.resource.pk, kind="api")
        access_log.info(
            "rows resource=%s user=%s", page.resource.pk, request.user.pk or "anonymous"
        )
        context = {"show_grades": policy.can_see_grades(request.user)}
        response = Response(serializers.RowPageSerializer(page, context=context).data)
        response.row_page = True
        if export:
            response["Content-Disposition"] = f'attachment; filename="{page.resource.code}.csv"'
            if page.next:
                response["Link"] = f'<{page.next}>; rel="next"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        """Only a page of rows is ever CSV: errors and the OPTIONS description are JSON in
        the API's usual shape, whatever format was asked for."""
        if not getattr(response, "row_page", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _resource_pk(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise Http404
    return int(raw)


class APIRootView(routers.APIRootView):
    """The API's index: a link to each collection, on ``SITE_URL``."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {name: links.rebased(url) for name, url in response.data.items()}
        return response


class SuggestionSerializer(drf_serializers.Serializer):
    id = drf_serializers.IntegerField()
    title = drf_serializers.CharField()
    title_en = drf_serializers.CharField()
    page_url = drf_serializers.CharField()


class SuggestView(APIView):
    """Typeahead over the titles of the data resources the caller may see: ``?q=`` holds the
    words typed so far, the last one possibly unfinished; at most ``SEARCH_SUGGESTIONS``
    entries, best quality first."""

    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="v1_suggest",
        parameters=[
            OpenApiParameter("q", str, required=True, description="The words typed so far.")
        ],
        responses={
            200: inline_serializer("Suggestions", {"results": SuggestionSerializer(many=True)}),
            **LIST_ERRORS,
        },
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if not text.strip():
            raise ValidationError({"q": _("Type at least one word.")})
        if len(text) > settings.CATALOG_MAX_QUERY_LENGTH:
            raise ValidationError(
                {
                    "q": _("The search text is too long (at most %(max)d characters).")
                    % {"max": settings.CATALOG_MAX_QUERY_LENGTH}
                }
            )
        found = suggestions.suggest(
            request.user,
            text,
            queryset=selectors.resource_queryset(user=request.user),
            limit=settings.SEARCH_SUGGESTIONS,
        )
        results = [
            {
                "id": r.pk,
                "title": r.title,
                "title_en": r.title_en,
                "page_url": links.absolute(reverse("catalog:resource-detail", args=[r.pk])),
            }
            for r in found
        ]
        return Response({"results": results})
