from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path(
        "neu/<int:application_pk>/<str:report_type>/<int:period>/",
        views.start,
        name="start",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ueberarbeiten/", views.reopen, name="reopen"),
]
