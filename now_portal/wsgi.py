"""WSGI entry point for gunicorn (bench/wave.py) and runserver (WSGI_APPLICATION). On
Lambda, Zappa builds its own from `django_settings` (zappa_settings.json) and does not
import this module."""
import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "now_portal.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, and with the URL configuration every view and
# form) lives as long as the process: the garbage collector need not scan it again and
# again. Without this, a full collection of a worker's ~90,000 objects held the worker's
# threads for 40-190 ms at a time under the wave (bench/wave.py).
get_resolver().url_patterns
gc.collect()
gc.freeze()
