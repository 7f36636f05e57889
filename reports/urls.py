"""Applicant URLs of the reports (mounted at /berichte/), namespace "reports"."""

from django.urls import path

from . import views
from .commissioning import CommissioningWizard
from .final_proof import FinalProofWizard, invoice_remove
from .operation import OperationWizard

app_name = "reports"

urlpatterns = [
    path(
        "neu/<int:application_pk>/<str:report_type>/<int:period>/",
        views.start,
        name="start",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ueberarbeiten/", views.reopen, name="reopen"),
    path("<int:pk>/bestaetigung/", views.confirmation, name="confirmation"),
    path("dateien/<int:pk>/", views.file_download, name="file_download"),
    # Commissioning report: the wizard, and the charging point cards on pages of their own.
    *CommissioningWizard.urls("inbetriebnahme"),
    path("<int:pk>/ladepunkte/neu/", views.point_add, name="point_add"),
    path("<int:pk>/ladepunkte/<int:point_pk>/aendern/", views.point_edit, name="point_edit"),
    path("<int:pk>/ladepunkte/<int:point_pk>/entfernen/", views.point_delete, name="point_delete"),
    path("<int:pk>/ladepunkte/vorlage.xlsx", views.point_list_template, name="point_list_template"),
    # Operation report (one per year) and final proof of use.
    *OperationWizard.urls("betriebsbericht"),
    *FinalProofWizard.urls("verwendungsnachweis"),
    path("<int:pk>/rechnungen/<int:file_pk>/entfernen/", invoice_remove, name="invoice_remove"),
]
