"""factory-boy factories for the registry. Defaults make a valid active account."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import AccountStatus, Mandate, OrgUnit, Platform, SocialAccount, User


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.falkoping.se")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    unit = factory.SubFactory(OrgUnitFactory)
    password = factory.django.Password("falkoping-test")

    @factory.post_generation
    def comms(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=settings.COMMS_GROUP_NAME)
            self.groups.add(group)


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    platform = Platform.FACEBOOK
    name = factory.Sequence(lambda n: f"Konto {n}")
    handle = factory.Sequence(lambda n: f"konto{n}")
    url = factory.LazyAttribute(lambda o: f"https://www.facebook.com/{o.handle}")
    unit = factory.SubFactory(OrgUnitFactory)
    description = "Nyheter och tips."
    purposes = factory.LazyFunction(lambda: ["services"])
    status = AccountStatus.ACTIVE
    activated_on = datetime.date(2024, 1, 15)


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(SocialAccountFactory)
    valid_from = datetime.date(2024, 1, 1)
    valid_until = None
