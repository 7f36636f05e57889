"""Applicant pages: the dashboard, one application, and claiming a further application."""

from allauth.core import ratelimit
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import claims
from .dashboard import cards
from .forms import ClaimApplicationForm
from .models import FundingApplication


def home(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    return render(request, "applications/home.html")


@login_required
def dashboard(request):
    return render(request, "applications/dashboard.html", {"cards": cards(request.user)})


@login_required
def application_detail(request, pk):
    application = get_object_or_404(FundingApplication.objects.owned_by(request.user), pk=pk)
    return render(request, "applications/application_detail.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def claim_application(request):
    form = ClaimApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.consume(request, action="claim_application", user=request.user):
            claims.request_claim(
                request, request.user, form.cleaned_data["kfw_number"], form.cleaned_data["email"]
            )
        # The same answer whether or not the pair matched, and when rate-limited.
        return render(request, "applications/claim_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "applications/claim_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def confirm_claim(request, token):
    if request.method == "POST":
        application = claims.confirm_claim_link(request.user, token)
        if application is not None:
            return render(request, "applications/claim_confirmed.html", {"application": application})
        return render(request, "applications/claim_failed.html", status=400)
    return render(request, "applications/claim_confirm.html")
