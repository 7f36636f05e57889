"""Who may download a report's file, and how it is handed out: streamed from local
storage, or as a redirect to a presigned, short-lived URL on S3 (the bucket is never public).
"""

from allauth.mfa.utils import is_mfa_enabled
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from .models import ReportFile

# Long enough to follow the redirect, too short to pass the link around.
PRESIGNED_URL_SECONDS = 60
CASEWORKER_VIEW_PERMISSION = "reports.view_report"


def is_report_reader(user) -> bool:
    """A caseworker who may read every report: the same gate as the admin (staff, MFA)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(CASEWORKER_VIEW_PERMISSION)
        and is_mfa_enabled(user)
    )


def downloadable_files(user):
    """The files this user may download: their own reports' files, or all for caseworkers."""
    files = ReportFile.objects.select_related("report")
    if is_report_reader(user):
        return files
    return files.filter(report__application__owner=user)


def _is_s3(storage) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def download_response(report_file: ReportFile):
    """The response that hands the file out under its original name, as an attachment."""
    storage = report_file.file.storage
    if _is_s3(storage):
        disposition = content_disposition_header(True, report_file.original_name)
        url = storage.url(
            report_file.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": report_file.content_type,
            },
            expire=PRESIGNED_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            report_file.file.open("rb"),
            as_attachment=True,
            filename=report_file.original_name,
            content_type=report_file.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
