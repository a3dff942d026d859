import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from respond.accounts.models import GlobalRole, Membership, Role, User
from respond.organisations.models import Organisation, OrganisationType, Region

DEMO_PASSWORD = "correct-horse-battery-staple"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Y{60 + n % 30}")
    name = factory.Sequence(lambda n: f"Region {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Test Hospitals NHS Trust {n}")
    organisation_type = OrganisationType.NHS_TRUST
    mandated = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("user.organisation")
    role = Role.RESPONDER


def enrol_totp(user: User, secret: str = "JBSWY3DPEHPK3PXP") -> Authenticator:
    return TOTP.activate(user, secret).instance


def member(organisation: Organisation, role: str, **kwargs) -> User:
    user = UserFactory(organisation=organisation, **kwargs)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def global_user(role: str, **kwargs) -> User:
    return UserFactory(organisation=None, global_role=role, **kwargs)


__all__ = ["GlobalRole", "Role"]
