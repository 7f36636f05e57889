from django.conf import settings


def portal(request):
    """Operator details for the footer pages (placeholders until the operator sets them)."""
    return {"operator": settings.OPERATOR, "oidc_enabled": settings.OIDC_ENABLED}
