"""Site pages outside the catalogues: home, about, and the language switch."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from catalog import selectors
from portal import links
from portal.errors import render_error

# Paths robots are asked to leave alone: the heavy or per-user API endpoints (the catalogue
# itself is described by the sitemap), the workspaces, accounts and the administration.
ROBOTS_DISALLOWED = (
    "/api/",
    "/resources/export.",
    "/workspace/",
    "/admin/",
    "/accounts/",
    "/applications/",
    "/grants/",
    "/notices/",
    "/operation/",
    "/supervision/",
    "/audit/",
    "/i18n/",
    "/*/download/",
)


@require_safe
def home(request):
    """Headline figures, themes and newest entries, counted over what the visitor may see."""
    context = {
        "figures": selectors.headline_figures(user=request.user),
        "themes": selectors.theme_queryset(user=request.user).filter(parent__isnull=True),
        "newest": selectors.newest_resources(user=request.user),
    }
    return render(request, "home.html", context)


@require_safe
def about(request):
    """What the portal is, the tiers and grades, and how access is obtained."""
    return render(request, "about.html")


@require_safe
def help_page(request):
    """Help and frequently asked questions: finding, downloading, applying, the API, contact."""
    return render(request, "help.html")


DISPLAY_COOKIE = "portal_display"
DISPLAY_MODES = ("contrast", "large")


def display_classes(request) -> list[str]:
    """The reading modes a visitor chose (``DISPLAY_COOKIE``): high contrast, large text."""
    chosen = request.COOKIES.get(DISPLAY_COOKIE, "").split(",")
    return [mode for mode in DISPLAY_MODES if mode in chosen]


# Like the language form: no CSRF token (it sits on cached pages) and it changes nothing but
# a cookie of the visitor's own.
@csrf_exempt
@require_POST
def set_display(request):
    """Turn high contrast or large text on or off (``mode``), kept in a cookie for a year;
    back to the page the form was on."""
    mode = request.POST.get("mode", "")
    if mode not in DISPLAY_MODES:
        return render_error(request, 400, _("Unknown display mode."))
    chosen = set(display_classes(request)) ^ {mode}
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    value = ",".join(m for m in DISPLAY_MODES if m in chosen)
    response.set_cookie(
        DISPLAY_COOKIE, value, max_age=365 * 86400, samesite="Lax", secure=request.is_secure()
    )
    return response


# No CSRF token: the form sits on every cached anonymous page, and switching the interface
# language changes nothing but a cookie of the visitor's own.
@csrf_exempt
@require_POST
def set_language(request):
    """Switch the interface language; an unknown language is refused with 400."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return render_error(request, 400, _("Unknown language: %(code)s") % {"code": code[:20]})
    return django_set_language(request)


@require_safe
def robots_txt(request):
    """``/robots.txt``: public pages allowed, heavy and private paths not, and the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOWED]
    lines.append(f"Sitemap: {links.absolute(reverse('catalog:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers and feed readers ask for: the site's SVG icon."""
    return redirect(static("portal/favicon.svg"), permanent=True)
