from django.conf import settings


def site(request):
    """Values every page template needs: the portal's name and the language switcher's list."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "SITE_LANGUAGES": settings.LANGUAGES}
