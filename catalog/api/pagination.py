"""Cursor (keyset) pagination for the API and the catalogue pages: no large OFFSETs."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class CatalogCursorPagination(CursorPagination):
    page_size = settings.CATALOG_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.CATALOG_MAX_PAGE_SIZE
    ordering = ("-modified", "-id")
    invalid_cursor_message = _("Invalid cursor: use the “next” or “previous” link as given.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        valid = raw is not None and raw.isascii() and raw.isdigit()
        if raw is not None and not (valid and 0 < int(raw) <= self.max_page_size):
            raise ValidationError(
                {
                    "page_size": _("Must be a whole number from 1 to %(max)d.")
                    % {"max": self.max_page_size}
                }
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor can decode cleanly and still hold a position of the wrong type for the
        # ordering field ("p=abc" against a number); the database layer then refuses it.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            if not request.query_params.get(self.cursor_query_param):
                raise
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc

    def decode_cursor(self, request):
        # A malformed cursor is the caller's mistake: answer 400, not 404.
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc


class ProductCursorPagination(CatalogCursorPagination):
    # Newest first; ``id`` never is NULL, so unlisted products stay reachable for their staff.
    ordering = ("-id",)


class NameCursorPagination(CatalogCursorPagination):
    ordering = ("code",)
