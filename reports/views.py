"""Applicant pages around the report wizards: start a report, open one (resume or read)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import FundingApplication

from . import deadlines, downloads, lifecycle, points
from .answers import answer_sections
from .forms import ChargingPointForm
from .models import Report, ReportStatus, ReportType
from .resume import resume_url
from .wizard import RETURN_TO_CHECK


def owned_report(request, pk, **filters) -> Report:
    return get_object_or_404(
        Report.objects.owned_by(request.user).select_related("application"), pk=pk, **filters
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, application_pk, report_type, period):
    # Its reports read once: here for what is owed, and again by `lifecycle.start`.
    application = get_object_or_404(
        FundingApplication.objects.owned_by(request.user).prefetch_related("reports"), pk=application_pk
    )
    if report_type not in ReportType.values:
        raise Http404
    owed = deadlines.owed_report(application, report_type, period)
    if owed is None:
        raise Http404
    if owed.report is not None and owed.report.status != ReportStatus.NOT_STARTED:
        return redirect("reports:detail", owed.report.pk)
    error = None
    if request.method == "POST":
        try:
            report = lifecycle.start(application, report_type, period, request.user)
        except lifecycle.TransitionNotAllowed as exc:
            error = str(exc)
        else:
            return redirect(resume_url(report) or reverse("reports:detail", args=[report.pk]))
    return render(
        request,
        "reports/start.html",
        {"application": application, "owed": owed, "error": error},
        status=400 if error else 200,
    )


@login_required
def detail(request, pk):
    """A draft opens its wizard where it was left; anything else is shown read-only."""
    report = owned_report(request, pk)
    if report.accepts_changes and (url := resume_url(report)):
        return redirect(url)
    return render(request, "reports/detail.html", {
        "report": report,
        "sections": answer_sections(report) if report.status != ReportStatus.NOT_STARTED else [],
        "charging_points": report.charging_points.all(),
        "files": report.files.all(),
    })


@login_required
@require_http_methods(["POST"])
def reopen(request, pk):
    report = owned_report(request, pk)
    try:
        report = lifecycle.reopen(report, request.user)
    except lifecycle.TransitionNotAllowed:
        pass  # already reopened (a second click): the draft opens either way
    return redirect("reports:detail", report.pk)


@login_required
def confirmation(request, pk):
    """The receipt after submission: bookmarkable, works as long as the report is not a draft."""
    report = owned_report(request, pk)
    if report.status in (ReportStatus.DRAFT, ReportStatus.NOT_STARTED) or not report.reference_number:
        return redirect("reports:detail", report.pk)
    return render(request, "reports/confirmation.html", {
        "report": report,
        "charging_points": report.charging_points.all(),
        "files": report.files.all(),
    })


# --- Charging point cards of a commissioning report (each a page of its own) ----------


def editable_commissioning_report(request, pk) -> Report:
    report = owned_report(request, pk, type=ReportType.COMMISSIONING)
    if not report.accepts_changes:
        raise Http404  # read-only once submitted (or the application withdrawn)
    return report


def points_step_url(request, report) -> str:
    """The cards page, still on its way back to the check page if it came from there."""
    url = reverse("reports:commissioning_step", args=[report.pk, "ladepunkte"])
    return f"{url}?{RETURN_TO_CHECK}=1" if RETURN_TO_CHECK in request.GET else url


def point_page(request, template, report, **context):
    query = f"?{RETURN_TO_CHECK}=1" if RETURN_TO_CHECK in request.GET else ""
    return render(request, template, {
        "report": report, "points_url": points_step_url(request, report), "point_query": query,
        **context,
    })


@login_required
@require_http_methods(["GET", "POST"])
def point_add(request, pk):
    report = editable_commissioning_report(request, pk)
    form = ChargingPointForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        point = form.save()
        messages.success(request, _("The charging point “%(label)s” has been added.") % {
            "label": point.label})
        return redirect(points_step_url(request, report))
    return point_page(request, "reports/commissioning/point_form.html", report,
                      form=form, adding=True)


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request, pk, point_pk):
    report = editable_commissioning_report(request, pk)
    point = get_object_or_404(report.charging_points, pk=point_pk)
    form = ChargingPointForm(request.POST or None, instance=point, report=report)
    if request.method == "POST" and form.is_valid():
        point = form.save()
        messages.success(request, _("Your changes to “%(label)s” have been saved.") % {
            "label": point.label})
        return redirect(points_step_url(request, report))
    return point_page(request, "reports/commissioning/point_form.html", report,
                      form=form, point=point, adding=False)


@login_required
@require_http_methods(["GET", "POST"])
def point_delete(request, pk, point_pk):
    report = editable_commissioning_report(request, pk)
    point = get_object_or_404(report.charging_points, pk=point_pk)
    if request.method == "POST":
        point.delete()
        messages.success(request, _("The charging point “%(label)s” has been removed.") % {
            "label": point.label})
        return redirect(points_step_url(request, report))
    return point_page(request, "reports/commissioning/point_delete.html", report, point=point)


@login_required
def point_list_template(request, pk):
    owned_report(request, pk, type=ReportType.COMMISSIONING)
    response = HttpResponse(
        points.point_list_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="Ladepunkte-Vorlage.xlsx"'
    return response


# --- Files: only through this permission check, never by their storage URL -----------


@login_required
def file_download(request, pk):
    """The report's applicant or a caseworker gets the file; anyone else a 404."""
    report_file = get_object_or_404(downloads.downloadable_files(request.user), pk=pk)
    return downloads.download_response(report_file)
