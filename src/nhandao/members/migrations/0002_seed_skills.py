"""Seed the usual volunteer skills; an administrator adds others as data. Re-runnable."""

from django.db import migrations

SKILLS = [
    ("first_aid", "Sơ cấp cứu"),
    ("rescue", "Cứu hộ, cứu nạn"),
    ("swimming", "Bơi, cứu đuối"),
    ("medical", "Y tế, điều dưỡng"),
    ("psychosocial", "Hỗ trợ tâm lý"),
    ("driving", "Lái xe"),
    ("logistics", "Kho vận, hậu cần"),
    ("it", "Tin học, nhập liệu"),
    ("media", "Truyền thông, chụp ảnh"),
    ("teaching", "Giảng dạy, tập huấn"),
    ("foreign_language", "Ngoại ngữ"),
    ("sign_language", "Ngôn ngữ ký hiệu"),
    ("blood_mobilisation", "Vận động hiến máu"),
    ("fundraising", "Vận động nguồn lực"),
]


def seed(apps, schema_editor):
    Skill = apps.get_model("members", "Skill")
    for code, name in SKILLS:
        Skill.objects.get_or_create(code=code, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("members", "Skill").objects.filter(code__in=[c for c, _ in SKILLS]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
