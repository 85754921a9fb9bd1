"""A mandate granted while a published meeting is still to come invites its editor (R24)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Mandate
from council.services.meetings import invite_new_editor


@receiver(post_save, sender=Mandate, dispatch_uid="council_invite_new_editor")
def invite_new_editor_on_mandate(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    # Inside the grant's transaction: a grant rolled back takes its invitations with it.
    with transaction.atomic():
        invite_new_editor(instance.user)
