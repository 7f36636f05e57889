from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.home, name="home"),
    path("uebersicht/", views.dashboard, name="dashboard"),
    path("antraege/<int:pk>/", views.application_detail, name="detail"),
    path("antraege/hinzufuegen/", views.claim_application, name="claim"),
    path("antraege/bestaetigen/<str:token>/", views.confirm_claim, name="confirm_claim"),
]
