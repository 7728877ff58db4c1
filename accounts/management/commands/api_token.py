from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import Account
from accounts.services import account_by_email, account_create, account_signup, api_token_create


class Command(BaseCommand):
    help = ("Print a new personal API token for the account with this email (--create makes the account, or the "
            "Shiplog account of a login made with createsuperuser).")

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--create", action="store_true", help="create the account (or its Shiplog account) "
                                                                  "if there is none")
        parser.add_argument("--name", default="manage.py api_token", help="a label shown in Settings")

    def handle(self, *args, email, create, name, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an email address") from error
        django_user = account_by_email(email)
        if django_user is None:
            if not create:
                raise CommandError(f"No account has the email {email}; pass --create to make one.")
            django_user = self._create(email)
            self.stderr.write(f"Created the account {email} (no password: use 'forgot password' to set one).")
        if Account.objects.user_id_of(django_user) is None:
            if not create:
                raise CommandError(f"The login {email} has no Shiplog account yet; pass --create to make it.")
            account_create(django_user=django_user)
        _, token = api_token_create(django_user=django_user, name=name)
        self.stdout.write(token)

    def _create(self, email):
        def create_django_user():
            user = get_user_model()(username=email.lower()[:150], email=email.lower())
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=True)
            return user

        django_user, _ = account_signup(create_django_user=create_django_user, email=email, location="intl")
        return django_user
