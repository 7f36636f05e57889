"""Polite German (Sie) for the allauth messages our applicants meet.

allauth's German catalogue addresses the reader informally (du) in some places and
formally (Sie) in others. These are its English message ids, word for word; listing them
here puts them into the project catalogue (locale/de), which Django prefers to allauth's
own, so every page speaks to applicants in the same polite voice. Never imported.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MESSAGES = [
    # Jargon rather than informal, but applicants should not meet "Token" either.
    gettext_noop('Bad Token'),  # templates/account/password_reset_from_key.html
    gettext_noop('Are you sure you want to sign out?'),  # templates/account/logout.html
    gettext_noop('Too many failed login attempts. Try again later.'),  # account/adapter.py
    gettext_noop('You cannot remove your primary email address.'),  # account/adapter.py:62
    gettext_noop('Please type your current password.'),  # account/adapter.py:74
    gettext_noop('You cannot add more than %d email addresses.'),  # account/adapter.py:80
    gettext_noop('Your primary email address must be verified.'),  # account/adapter.py:87
    gettext_noop('Please select only one.'),  # account/adapter.py:97
    gettext_noop('Be patient, you are sending too many requests.'),  # account/adapter.py:99
    gettext_noop('You must type the same password each time.'),  # account/forms.py:59
    gettext_noop('You must type the same email each time.'),  # account/forms.py:387
    gettext_noop('An account already exists with this email address. Please sign in to that account first, then connect your %s account.'),  # socialaccount/adapter.py:30
    gettext_noop('Your account has no password set up.'),  # socialaccount/adapter.py:35
    gettext_noop('Your account has no verified email address.'),  # socialaccount/adapter.py:36
    gettext_noop('Do you really want to remove the selected email address?'),  # templates/account/email.html:80
    gettext_noop('Please Confirm Your Email Address'),  # templates/account/email/email_confirmation_subject.txt:3
    gettext_noop('Your password has been changed.'),  # templates/account/email/password_changed_message.txt:4
    gettext_noop("You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password."),  # templates/account/email/password_reset_key_message.txt:4
    gettext_noop('Your email address is still pending verification.'),  # templates/account/email_change.html:35
    gettext_noop('Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'),  # templates/account/email_confirm.html:16
    gettext_noop('This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.'),  # templates/account/email_confirm.html:36
    gettext_noop('You cannot remove your primary email address (%(email)s).'),  # templates/account/messages/cannot_delete_primary_email.txt:2
    gettext_noop('You have confirmed %(email)s.'),  # templates/account/messages/email_confirmed.txt:2
    gettext_noop('You have signed out.'),  # templates/account/messages/logged_out.txt:2
    gettext_noop("Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."),  # templates/account/password_reset.html:14
    gettext_noop('Please contact us if you have any trouble resetting your password.'),  # templates/account/password_reset.html:31
    gettext_noop('We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes.'),  # templates/account/password_reset_done.html:16
    gettext_noop('The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'),  # templates/account/password_reset_from_key.html:18
    gettext_noop('Your password is now changed.'),  # templates/account/password_reset_from_key_done.html:12
    gettext_noop('You are already logged in as %(user_display)s.'),  # templates/account/snippets/already_logged_in.html:7
    gettext_noop('You currently do not have any email address set up. You should really add an email address so you can receive notifications, reset your password, etc.'),  # templates/account/snippets/warn_no_email.html:3
    gettext_noop('Verify Your Email Address'),  # templates/account/verification_sent.html:5
    gettext_noop('We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes.'),  # templates/account/verification_sent.html:12
    gettext_noop('This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. '),  # templates/account/verified_email_required.html:13
    gettext_noop('We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes.'),  # templates/account/verified_email_required.html:18
    gettext_noop('<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'),  # templates/account/verified_email_required.html:23
    gettext_noop('You are about to generate a new set of recovery codes for your account.'),  # templates/mfa/recovery_codes/generate.html:9
    gettext_noop('You are about to deactivate authenticator app based authentication. Are you sure?'),  # templates/mfa/totp/deactivate_form.html:12
]
