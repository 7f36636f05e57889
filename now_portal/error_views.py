"""The answers to a refused CSRF check and to a rate limit, in the portal's layout and
words (Django renders templates/404.html, 403.html and 500.html by itself)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a missing or outdated token, mostly a page left
    open too long, or a sign-in or sign-out in another window meanwhile."""
    return render(request, "403_csrf.html", status=403)


def too_many_requests(request, exception=None):
    """`handler429` of the URLconf, which allauth's rate limits answer with."""
    return render(request, "429.html", status=429)
