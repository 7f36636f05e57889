"""The WSGI entry point (gunicorn) leaves what it loaded out of the garbage collector's
scans: the URL configuration, its views and forms included."""

import subprocess
import sys


def test_the_loaded_application_is_frozen_out_of_garbage_collection():
    code = (
        "import gc, sys; import now_portal.wsgi;"
        "print(gc.get_freeze_count() > 50_000, 'reports.views' in sys.modules, len(gc.get_objects()) < 20_000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"DJANGO_SETTINGS_MODULE": "now_portal.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == ["True", "True", "True"]
