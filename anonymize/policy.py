"""The anonymisation policy: what happens to every column of every table.

This is the one place that decides. Every table of the database must be listed here,
and every column of a table whose rows are kept: `manage.py anonymized_snapshot` refuses
to run while anything is missing (a column added later can never leak by default), and
`tests/anonymize/test_policy.py` fails the same way. docs/snapshots.md explains how to
classify a new column.

Actions (anonymize/actions.py): Keep, Fake(kind), Generalise(kind), Redact (free text),
Constant/Null, ByField (change history), and Omit for a table whose rows are left out.
"""

from .actions import AddressNeedle, ByField, Constant, Fake, Generalise, Keep, Null, Omit, Redact

KEEP = Keep()
MONTH = Generalise("month")
EMAIL = Fake("email")
EMPTY_JSON_OBJECT = Constant("{}", "emptied ({})")
EMPTY_JSON_LIST = Constant("[]", "emptied ([])")
NO_TEXT = Constant("", "emptied")


def keep(*columns):
    return dict.fromkeys(columns, KEEP)


POLICY = {
    # --- Django --------------------------------------------------------------------------
    "django_migrations": keep("id", "app", "name", "applied"),
    "django_content_type": keep("id", "app_label", "model"),
    "auth_permission": keep("id", "content_type_id", "codename", "name"),
    "auth_group": keep("id", "name"),
    "auth_group_permissions": keep("id", "group_id", "permission_id"),
    "django_session": Omit("session data: who is signed in, and their CSRF and login state"),
    "django_cache": Omit("rate-limit counters keyed by IP address and e-mail"),
    "django_admin_log": {
        **keep("id", "action_flag", "content_type_id", "object_id", "user_id"),
        "action_time": MONTH,
        # str() of the object: an e-mail address, "4711… – Name of the applicant".
        "object_repr": Redact(),
        # JSON naming the changed fields (and, for some actions, values).
        "change_message": Redact(),
    },
    # --- Users (applications.User) -------------------------------------------------------
    "applications_user": {
        **keep("id", "is_superuser", "is_staff", "is_active"),
        "password": Constant("!", "unusable password"),
        "last_login": MONTH,
        "date_joined": MONTH,
        "first_name": Fake("first_name"),
        "last_name": Fake("last_name"),
        "email": EMAIL,
    },
    "applications_user_groups": keep("id", "user_id", "group_id"),
    "applications_user_user_permissions": keep("id", "user_id", "permission_id"),
    # --- allauth -------------------------------------------------------------------------
    "account_emailaddress": {**keep("id", "verified", "primary", "user_id"), "email": EMAIL},
    "account_emailconfirmation": Omit("confirmation keys (log-in secrets)"),
    "mfa_authenticator": Omit("TOTP secrets, recovery codes and passkeys"),
    "socialaccount_socialaccount": {
        **keep("id", "provider", "user_id"),
        "uid": Fake("token"),
        "last_login": MONTH,
        "date_joined": MONTH,
        # The identity provider's profile: name, e-mail, and whatever else it sends.
        "extra_data": EMPTY_JSON_OBJECT,
    },
    "socialaccount_socialapp": Omit("client secrets of the identity provider"),
    "socialaccount_socialapp_sites": Omit("belongs to the omitted social apps"),
    "socialaccount_socialtoken": Omit("access and refresh tokens"),
    "usersessions_usersession": Omit("IP addresses and browsers of sessions"),
    # --- Funding applications -------------------------------------------------------------
    "applications_fundingapplication": {
        **keep("id", "program", "approved_charging_points", "kfw_status", "owner_id",
               "claimed_at", "created_at", "updated_at"),
        # Which import created the application, which last held it and in which row: ids
        # and a row number, no one's data.
        **keep("created_by_import_id", "last_import_id", "last_import_row"),
        "kfw_number": Fake("kfw_number"),
        "applicant_name": Fake("person_or_organisation"),
        "contact_first_name": Fake("first_name"),
        "contact_last_name": Fake("last_name"),
        "email": EMAIL,
        "phone": Fake("phone"),
        "street": Fake("street"),
        "house_number": Fake("house_number"),
        "postal_code": Generalise("postal_prefix"),
        "city": Fake("city"),
        "iban": Fake("iban"),
        # The approved amount and date are KfW's records: exact ones find the applicant
        # in any other list of KfW approvals.
        "approved_amount": Generalise("round", step=100),
        "approval_date": MONTH,
    },
    "applications_applicationclaim": {
        **keep("id", "user_id", "application_id", "created_at", "completed_at"),
        "email": EMAIL,
    },
    # --- Reports ---------------------------------------------------------------------------
    "reports_report": {
        **keep("id", "application_id", "type", "period", "due_date", "status",
               "reference_number", "current_step", "publicly_accessible",
               "renewable_electricity", "cost_hardware", "cost_installation",
               "cost_grid_connection", "cost_other", "other_public_funding_received",
               "other_public_funding_amount", "declaration_confirmed", "submitted_at",
               "accepted_at", "created_at", "updated_at"),
        "caseworker_comment": Redact(),
        # The wizard's draft: any answer not yet saved, addresses and names included.
        "wizard_state": EMPTY_JSON_OBJECT,
        "site_street": Fake("street"),
        "site_house_number": Fake("house_number"),
        "site_postal_code": Generalise("postal_prefix"),
        "site_city": Fake("city"),
        "operator_name": Fake("person_or_organisation"),
        "availability_and_faults": Redact(),
        "other_public_funding_source": Redact(),
        "factual_report": Redact(),
    },
    "reports_chargingpoint": {
        **keep("id", "report_id", "power_kw", "current_type", "connector", "created_at"),
        # Applicants name points freely ("Wallbox Fam. Weber, Garage").
        "label": Redact("Ladepunkt"),
        # The public charging-station register lists points with their commissioning
        # date and EVSE ID: exact ones would find the site.
        "commissioning_date": MONTH,
        "evse_id": Fake("pattern"),
    },
    "reports_reportfile": {
        **keep("id", "report_id", "kind", "content_type", "size", "uploaded_by_id",
               "uploaded_at"),
        "file": NO_TEXT,  # files are never copied: no path to them either
        "original_name": Generalise("file_suffix"),
    },
    "reports_chargingprocessupload": {
        **keep("id", "report_id", "file_id", "row_count", "error_count", "created_at"),
        "errors": EMPTY_JSON_LIST,  # quotes cell values of the uploaded file
    },
    "reports_chargingsessionsummary": keep(
        "id", "report_id", "charging_point_id", "sessions", "energy_kwh", "hours"),
    "reports_reporttransition": {
        **keep("id", "report_id", "from_status", "to_status", "by_id", "at"),
        "comment": Redact(),
    },
    "reports_remindersent": {**keep("id", "report_id", "occasion", "sent_at"), "recipient": EMAIL},
    # --- KfW import --------------------------------------------------------------------------
    "kfw_import_importrun": {
        **keep("id", "source", "sha256", "user_id", "started_at", "duration", "status",
               "rows_read", "created", "updated", "unchanged", "withdrawn", "rejected",
               "already_imported_by_id"),
        "file_name": Generalise("file_suffix"),
        # Messages, rejected rows and warnings quote cells of the export.
        "message": Redact(),
        "rejected_rows": EMPTY_JSON_LIST,
        "warnings": EMPTY_JSON_LIST,
        "archive_name": NO_TEXT,
    },
    "kfw_import_applicationchange": {
        **keep("id", "application_id", "run_id", "field"),
        "old_value": ByField("field", "applications_fundingapplication"),
        "new_value": ByField("field", "applications_fundingapplication"),
    },
}

# Addresses searched for as "street number" by the leak check (free text would hold them so).
ADDRESS_NEEDLES = [
    AddressNeedle("applications_fundingapplication", "street", "house_number"),
    AddressNeedle("reports_report", "site_street", "site_house_number"),
]

__all__ = ["POLICY", "ADDRESS_NEEDLES", "Null"]
