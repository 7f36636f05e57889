import pytest


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path):
    # Uploaded and archived files go to a fresh folder per test, never the developer's.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Rate limits count in the cache; every test starts with none used.
    from django.core.cache import cache

    cache.clear()
