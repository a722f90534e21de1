"""Site pages outside the catalogues: home, about, and the language switch."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from catalog import selectors
from portal.errors import render_error


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
