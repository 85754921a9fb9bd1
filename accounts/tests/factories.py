"""factory-boy factories for the registry. Defaults make a valid active account."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import AccountStatus, Mandate, OrgUnit, Platform, SocialAccount, Training, TrainingKind, User


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


# R14: when the editors of the fixtures were trained in social media (before any mandate's start).
EDITOR_TRAINED_ON = datetime.date(2023, 12, 1)


class TrainingFactory(factory.django.DjangoModelFactory):
    """A training in social media (R14). The trainee stands in as trainer and recorder, so that
    the factory adds no other person to a test's world."""

    class Meta:
        model = Training

    trainee = factory.SubFactory(UserFactory)
    trainer = factory.SelfAttribute("trainee")
    recorded_by = factory.SelfAttribute("trainee")
    kind = TrainingKind.GENERAL
    date = EDITOR_TRAINED_ON


class MandateFactory(factory.django.DjangoModelFactory):
    """A mandate in force on its days: its editor has a recorded training (R14), unless
    `trained=False` makes one that awaits it."""

    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(SocialAccountFactory)
    valid_from = datetime.date(2024, 1, 1)
    valid_until = None

    @factory.post_generation
    def trained(self, create, extracted, **kwargs):
        if create and extracted is not False and not Training.objects.filter(trainee=self.user).exists():
            TrainingFactory(trainee=self.user, date=min(self.valid_from, EDITOR_TRAINED_ON))
