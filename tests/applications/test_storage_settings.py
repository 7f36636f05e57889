"""MEDIA_BUCKET switches uploaded files to S3 (django-storages), encrypted and private."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_media_bucket_setting_stores_files_in_s3(s3_endpoint, s3_client, s3_bucket):
    code = (
        "import django; django.setup(); "
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import default_storage as s; "
        "name = s.save('reports/probe.txt', ContentFile(b'Ladepunkt')); print(name); "
        "print(s.url(name))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "now_portal.settings",
        "MEDIA_BUCKET": s3_bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    name, url = result.stdout.split()

    stored = s3_client.get_object(Bucket=s3_bucket, Key=name)
    assert stored["Body"].read() == b"Ladepunkt"
    assert stored["ServerSideEncryption"] == "AES256"
    assert "X-Amz-Signature" in url and "X-Amz-Expires=120" in url  # presigned, short-lived


def test_without_media_bucket_files_stay_local():
    code = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if k != "MEDIA_BUCKET"}
    env["DJANGO_SETTINGS_MODULE"] = "now_portal.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_with_media_bucket_large_uploads_may_post_straight_to_s3():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DIRECT_UPLOADS, s.DIRECT_UPLOAD_URL); "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "AWS_S3_ENDPOINT_URL"}
    env.update(DJANGO_SETTINGS_MODULE="now_portal.settings", MEDIA_BUCKET="now-prod-media")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    first, form_action = result.stdout.strip().splitlines()
    url = "https://now-prod-media.s3.eu-central-1.amazonaws.com/"
    assert first == f"True {url}"
    assert form_action == f"'self' {url}"
