"""Seed the modalities, needs and languages clients search by. Keyed by slug; the reverse
removes exactly the rows this migration added."""

from django.db import migrations

MODALITIES = [
    ("swedish", "Swedish / classic massage", "Long gliding strokes and kneading for relaxation and general well-being."),
    ("deep-tissue", "Deep tissue massage", "Slow, firm pressure on deeper muscle layers for chronic tension."),
    ("sports", "Sports massage", "Preparation and recovery for training and competition."),
    ("therapeutic", "Therapeutic / medical massage", "Targeted treatment of musculoskeletal complaints, often on prescription."),
    ("lymphatic-drainage", "Lymphatic drainage", "Gentle rhythmic technique that supports lymph flow and reduces swelling."),
    ("trigger-point", "Trigger point therapy", "Sustained pressure on tight points that refer pain elsewhere."),
    ("myofascial", "Myofascial release", "Slow stretching of the fascia to restore mobility."),
    ("honey", "Honey (detox) massage", "Traditional technique with honey applied and lifted off the skin."),
    ("reflexology", "Reflexology", "Pressure on points of the feet and hands."),
    ("shiatsu", "Shiatsu", "Japanese finger-pressure technique along meridians."),
    ("thai", "Thai massage", "Assisted stretching and rhythmic pressure, on a mat, clothed."),
    ("prenatal", "Pregnancy massage", "Adapted positioning and pressure for pregnant clients."),
    ("hot-stone", "Hot stone massage", "Heated stones to relax muscles before manual work."),
    ("manual-therapy", "Manual therapy", "Joint mobilisation and soft-tissue techniques by trained therapists."),
]

NEEDS = [
    ("muscle-tension-pain", "Muscle tension and pain", "Back, neck and shoulder tension, stiffness, sore muscles."),
    ("stress-sleep", "Stress and sleep", "Relaxation, anxiety relief and better sleep."),
    ("circulation", "Circulation", "Blood and lymph flow, swelling, heavy legs."),
    ("nerve-pain", "Nerve pain", "Sciatica, tingling and radiating pain (ask your doctor first)."),
    ("immune-support", "Immune support", "General resilience and recovery."),
    ("skin", "Skin", "Skin tone and texture."),
    ("sports-recovery", "Sports recovery", "Recovery after training and injury prevention."),
    ("posture-mobility", "Posture and mobility", "Range of motion, posture and flexibility."),
]

LANGUAGES = [
    ("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"), ("it", "Italian"),
    ("nl", "Dutch"), ("pt", "Portuguese"), ("pl", "Polish"), ("ru", "Russian"), ("uk", "Ukrainian"),
    ("tr", "Turkish"), ("ar", "Arabic"), ("zh", "Chinese"), ("ja", "Japanese"), ("th", "Thai"),
    ("sv", "Swedish"), ("da", "Danish"), ("cs", "Czech"), ("el", "Greek"), ("hu", "Hungarian"),
]


def add(apps, schema_editor):
    Modality = apps.get_model("therapists", "Modality")
    Need = apps.get_model("therapists", "Need")
    Language = apps.get_model("therapists", "Language")
    for slug, name, description in MODALITIES:
        Modality.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for slug, name, description in NEEDS:
        Need.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


def remove(apps, schema_editor):
    apps.get_model("therapists", "Modality").objects.filter(slug__in=[m[0] for m in MODALITIES]).delete()
    apps.get_model("therapists", "Need").objects.filter(slug__in=[n[0] for n in NEEDS]).delete()
    apps.get_model("therapists", "Language").objects.filter(code__in=[code for code, _ in LANGUAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("therapists", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
