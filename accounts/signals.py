"""Keep the cached public list (/socialamedier, R16) true: any change to an account or a unit
drops it, so the next visitor sees the registry as it is."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import OrgUnit, SocialAccount
from .selectors import invalidate_public_accounts


@receiver(post_save, sender=SocialAccount)
@receiver(post_delete, sender=SocialAccount)
@receiver(post_save, sender=OrgUnit)
@receiver(post_delete, sender=OrgUnit)
def _registry_changed(sender, **kwargs):
    invalidate_public_accounts()
