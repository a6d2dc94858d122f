"""Give existing therapists the time zone of their city, from the gazetteer (as the profile form does)."""

from django.db import migrations

from therapists.geo import find_place


def derive_time_zones(apps, schema_editor):
    Therapist = apps.get_model("therapists", "Therapist")
    places = Therapist.objects.filter(time_zone="").exclude(city="").values_list("city", "country").distinct()
    for city, country in places.iterator():
        place = find_place(f"{city}, {country}" if country else city)
        if place and place.time_zone:
            Therapist.objects.filter(time_zone="", city=city, country=country).update(time_zone=place.time_zone)


class Migration(migrations.Migration):
    dependencies = [("therapists", "0006_opening_hours_and_requests")]

    # Reversing leaves the zones: the column itself goes with 0005.
    operations = [migrations.RunPython(derive_time_zones, migrations.RunPython.noop)]
