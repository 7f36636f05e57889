"""Caseworkers' view of applicants and funding applications."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kfw_import.admin import ApplicationChangeInline

from .models import ApplicationClaim, FundingApplication, User
from .templatetags.funding import euro


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(FundingApplication)
class FundingApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "kfw_number",
        "applicant_name",
        "program",
        "city",
        "approved_charging_points",
        "approved_amount_display",
        "approval_date",
        "kfw_status",
        "owner",
    ]
    list_filter = ["program", "kfw_status", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["kfw_number", "applicant_name", "contact_last_name", "email", "city"]
    list_select_related = ["owner"]
    date_hierarchy = "approval_date"
    # The KfW data is owned by the import; caseworkers read it and may only reassign
    # the owner (for example when an applicant's company changes hands).
    readonly_fields = [
        field.name
        for field in FundingApplication._meta.fields
        if field.name not in {"id", "owner"}
    ]
    autocomplete_fields = ["owner"]
    inlines: list = [ApplicationChangeInline]

    @admin.display(description=_("approved amount (EUR)"), ordering="approved_amount")
    def approved_amount_display(self, application):
        return euro(application.approved_amount)  # "12.345,67 €", as everywhere else

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationClaim)
class ApplicationClaimAdmin(admin.ModelAdmin):
    list_display = ["application", "user", "email", "created_at", "completed_at"]
    search_fields = ["application__kfw_number", "user__email", "email"]
    list_select_related = ["application", "user"]
    readonly_fields = ["user", "application", "email", "created_at", "completed_at"]

    def has_add_permission(self, request):
        return False
