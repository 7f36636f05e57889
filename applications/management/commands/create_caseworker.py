"""Create a caseworker account, e.g. the first one after a deployment:
`zappa manage prod "create_caseworker anna.berg@now-gmbh.example --superuser"`."""

from django.core.management.base import BaseCommand, CommandError

from applications.caseworkers import create_caseworker


class Command(BaseCommand):
    help = (
        "Create a caseworker (staff, in the caseworkers' group, e-mail verified, no password "
        "yet), or make an existing user one. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--superuser", action="store_true",
            help="Also all permissions (e.g. to add further caseworkers in the admin).",
        )

    def handle(self, *args, email, first_name, last_name, superuser, **options):
        try:
            user, created = create_caseworker(
                email, first_name=first_name, last_name=last_name, superuser=superuser
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        state = "created" if created else "updated"
        self.stdout.write(self.style.SUCCESS(f"Caseworker {user.email} {state}."))
        self.stdout.write(
            "Next: they choose a password with 'Passwort vergessen?' on the sign-in page, "
            "sign in, and set up two-factor authentication (the admin requires it)."
        )
