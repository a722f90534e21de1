"""Cursor (keyset) pagination for the API and the catalogue pages: no large OFFSETs."""

from django.conf import settings
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
        if raw is not None and not (raw.isdigit() and 0 < int(raw) <= self.max_page_size):
            raise ValidationError(
                {
                    "page_size": _("Must be a whole number from 1 to %(max)d.")
                    % {"max": self.max_page_size}
                }
            )
        return super().get_page_size(request)

    def decode_cursor(self, request):
        # A malformed cursor is the caller's mistake: answer 400, not 404.
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc


class ProductCursorPagination(CatalogCursorPagination):
    ordering = ("-listed_at", "-id")


class NameCursorPagination(CatalogCursorPagination):
    ordering = ("code",)
