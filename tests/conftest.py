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


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on loopback: real boto3 HTTP calls, no AWS."""
    import os

    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")


@pytest.fixture
def s3_bucket(s3_client):
    """A fresh, empty bucket for one test."""
    import uuid

    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    return name


@pytest.fixture
def s3_storage(settings, s3_endpoint, s3_bucket):
    """Uploaded files go to a fresh bucket on moto's S3 server (as with MEDIA_BUCKET)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": s3_endpoint,
                "region_name": "eu-central-1",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    return s3_bucket


# --- Browser tests (see tests/browser/support.py) ------------------------------------


def _chromium_missing() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    from pathlib import Path

    from tests.browser.support import CHROMIUM

    if Path(CHROMIUM).exists():
        return ""
    return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"


def pytest_report_header(config):
    from tests.browser.support import CHROMIUM

    missing = _chromium_missing()
    if missing:
        return f"browser tests: SKIPPED – {missing}"
    return f"browser tests: run with {CHROMIUM}"


def pytest_collection_modifyitems(config, items):
    missing = _chromium_missing()
    if not missing:
        return
    skip = pytest.mark.skip(reason=missing)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Said again at the very end, where nobody can miss it."""
    missing = _chromium_missing()
    if not missing:
        return
    skipped = [
        report for report in terminalreporter.stats.get("skipped", [])
        if "browser" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} BROWSER TESTS SKIPPED: {missing}", yellow=True, bold=True
        )


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import expect, sync_playwright

    from tests.browser.support import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between browser steps are plain synchronous code all the same.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # `expect(...)` retries until this runs out: long enough for a busy machine.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    from tests.browser.support import PHONE, new_page

    page = new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def desktop_page(browser):
    from tests.browser.support import DESKTOP, new_page

    page = new_page(browser, DESKTOP)
    yield page
    page.context.close()
