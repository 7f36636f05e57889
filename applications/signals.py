from . import claims, caseworkers


def complete_claims_on_email_confirmed(sender, request, email_address, **kwargs):
    claims.complete_claims_for_verified_email(email_address.user, email_address.email)


def update_caseworker_group(sender, **kwargs):
    caseworkers.ensure_caseworker_group()
