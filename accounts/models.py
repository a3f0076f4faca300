from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountInUse(ValueError):
    """The address has an account whose owner uses it: nobody else may set it up."""


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def set_up_for_owner(self, email, *, name, password, language=""):
        """The account of an address whose owner has just shown they hold it (by a link sent
        there): made, or claimed if an import made it unclaimed. Never an account in use."""
        user = self.with_address(email) or self.model(email=email.lower())
        if user.pk and not user.is_unclaimed:
            raise AccountInUse("This address has an account in use.")
        user.name = name
        user.language = language
        user.set_password(password)
        try:
            with transaction.atomic(using=self._db):
                user.save(using=self._db)
        except IntegrityError:
            # Made meanwhile by the same form sent twice at once (a double click).
            raise AccountInUse("This address has an account in use.") from None
        return user

    def with_address(self, email: str):
        """The account of `email`, typed in any case, or None. Every way of finding a
        person's account by their address goes through here: PostgreSQL's UPPER() folds a
        few letters that are not ASCII into ASCII ones ("ı" to "I", "ſ" to "S"), so a
        case-insensitive lookup alone takes iris@kıtchen.example, at a domain anyone may
        register, for iris@kitchen.example."""
        email = email.strip().lower()
        return next((u for u in self.filter(email__iexact=email) if u.email.lower() == email), None)

    def get_by_natural_key(self, email):
        user = self.with_address(email)
        if user is None:
            raise self.model.DoesNotExist
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person. They sign in with their email address and may belong to several alliances."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    last_alliance = models.ForeignKey(
        "alliances.Alliance",
        verbose_name=_("last alliance opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    wants_digest = models.BooleanField(
        _("email me a daily reminder of my commitments"),
        default=True,
        help_text=_(
            "One email on a day when something you are responsible for is due within a "
            "week or overdue. Never one email per commitment."
        ),
    )
    # Blank until the person chooses: pages then follow the browser (Accept-Language), and
    # emails the site's default. Not a `choices` field: adding a language to LANGUAGES must
    # not need a migration; forms offer settings.LANGUAGES.
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    # The day the last digest was sent: at most one a day (see reviews.digest).
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name or self.email

    @property
    def is_unclaimed(self) -> bool:
        """Made for this address by someone else (an import) and never used: whoever controls
        the address may set its password, through "forgot your password" or an invitation."""
        return self.last_login is None and not self.has_usable_password()

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email
