"""The key of a captured post's link (capture/permalinks.py), for the public check of a pasted link
(R16): the field, filled for the posts already captured, then its index (posts only)."""

from django.db import migrations, models

BATCH = 2000


def fill_permalink_keys(apps, schema_editor):
    # The normaliser of today: a later change of it comes with a migration of its own if the keys change.
    from capture.permalinks import post_key

    CapturedItem = apps.get_model("capture", "CapturedItem")
    posts = CapturedItem.objects.filter(kind="post").only("pk", "platform", "platform_id", "permalink").order_by("pk")
    batch = []
    for item in posts.iterator(chunk_size=BATCH):
        key = post_key(item.platform, item.platform_id, item.permalink)
        if key:
            item.permalink_key = key
            batch.append(item)
        if len(batch) >= BATCH:
            CapturedItem.objects.bulk_update(batch, ["permalink_key"])
            batch = []
    if batch:
        CapturedItem.objects.bulk_update(batch, ["permalink_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0022_decision_role_code"),
        ("capture", "0004_newest_first_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="captureditem",
            name="permalink_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=600),
        ),
        migrations.RunPython(fill_permalink_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="captureditem",
            index=models.Index(
                condition=models.Q(("kind", "post")), fields=["permalink_key"], name="capture_item_permalink_key"
            ),
        ),
    ]
