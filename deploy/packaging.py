"""Zappa's hooks (zappa_settings.json), run by `zappa package`, `deploy` and `update` in
the environment Zappa packs (deploy/lambda_venv.py).

Before the package is built (`prebuild_script`: `prepare`):
1. `collectstatic` with the production storage: hashed, compressed files in staticfiles/,
   which the package carries and WhiteNoise serves (docs/deploy.md).
2. Bytecode for the project and its libraries, checked by source hash rather than by
   modification time: the zip stores every file with the same old timestamp, so
   timestamp-checked .pyc files would all be stale on Lambda, whose /var/task is read-only;
   every cold start would compile Django and boto3 anew.

After the zip is built, before it is uploaded (`callbacks.zip`: `slim`): drop what only
Zappa's command line needs, and botocore's descriptions of AWS services the portal does
not call (all but S3, Secrets Manager, SSM and STS): two thirds of botocore's size.
"""

import compileall
import shutil
import zipfile
import os
import secrets
import subprocess
import sys
from pathlib import Path
from py_compile import PycInvalidationMode

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ["now_portal", "applications", "reports", "kfw_import", "anonymize"]

# Zappa's command-line tooling (CloudFormation templates, YAML, progress bars, ...): the
# handler imports none of it. tests/deploy/test_lambda_package.py proves it still works.
CLI_ONLY = {
    "troposphere", "setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth",
    "cfn_flip", "cfn_clean", "cfn_tools", "yaml", "_yaml", "placebo", "hjson", "argcomplete",
    "tqdm", "wheel", "kappa", "slugify", "text_unidecode", "toml", "pip",
}
BOTOCORE_SERVICES = {"s3", "secretsmanager", "ssm", "sts"}


def collect_static():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        # Only to load the settings; collectstatic signs nothing.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "now_portal.settings",
    }
    for name in ("DJANGO_SECRETS_ARN", "DJANGO_SSM_PATH", "DATABASE_URL", "PYTHONPATH"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _compile(path: Path, quiet: int = 1) -> bool:
    return compileall.compile_dir(
        str(path),
        quiet=quiet,
        force=True,
        workers=0,
        invalidation_mode=PycInvalidationMode.CHECKED_HASH,
    )


def compile_bytecode():
    for name in PROJECT_PACKAGES:
        if (ROOT / name).is_dir() and not _compile(ROOT / name):
            raise SystemExit(f"Could not compile {name}/")
    venv = os.environ.get("VIRTUAL_ENV")
    if not venv:
        return
    site_packages = Path(venv) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    marker = site_packages / ".bytecode-checked-hash"
    if site_packages.is_dir() and not marker.exists():
        # Some libraries ship files that do not compile (templates named .py); they are
        # not imported, so their errors do not matter.
        _compile(site_packages, quiet=2)
        marker.write_text("compiled\n")


def keep_in_package(name: str) -> bool:
    parts = name.split("/")
    if parts[0] in CLI_ONLY:
        return False
    if parts[:2] == ["botocore", "data"] and len(parts) > 3:
        return parts[2] in BOTOCORE_SERVICES
    return True


def slim(zappa_cli=None, zip_path=None):
    """Rewrite the package without what `keep_in_package` rejects."""
    zip_path = Path(zip_path or zappa_cli.zip_path)
    slimmed = zip_path.with_suffix(".slim.zip")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(
        slimmed, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for info in source.infolist():
            if keep_in_package(info.filename):
                with source.open(info) as data:
                    target.writestr(info, data.read(), zipfile.ZIP_DEFLATED)
    shutil.move(slimmed, zip_path)


def prepare():
    collect_static()
    compile_bytecode()


if __name__ == "__main__":
    prepare()
