"""Create the `moderators` group holding the moderation.moderate permission.

Permissions are normally made after all migrations (post_migrate), so this creates the one it
needs itself. The reverse deletes the group only.
"""

from django.db import migrations

GROUP = "moderators"


def add(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="moderation", model="decision")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="moderate",
        defaults={"name": "Can moderate credentials, reviews and profiles"},
    )
    view_log, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_decision", defaults={"name": "Can view decision"}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission, view_log)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_decision_log"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(add, remove)]
