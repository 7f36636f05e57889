"""The virtual environment `zappa package` packs: requirements.txt only, as wheels built
for the Lambda runtime (python3.11 on Amazon Linux 2: x86-64, glibc 2.26), whatever the
machine that builds it. pip on a newer Linux would otherwise pick wheels that need a newer
glibc than the runtime has (cryptography's manylinux_2_34, for example).

    python3 deploy/lambda_venv.py                       # the (cached) environment's path
    python3 deploy/lambda_venv.py package dev out.zip   # `zappa package dev -o out.zip` in it
    python3 deploy/lambda_venv.py zappa update prod     # any Zappa command, run from it

The environment is kept under build/ and keyed by the hash of requirements.txt, so it is
rebuilt only when the requirements change.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
# The python3.11 Lambda runtime runs Amazon Linux 2, whose glibc is 2.26.
LAMBDA_PLATFORM = "manylinux_2_26_x86_64"
LAMBDA_GLIBC = (2, 26)
PYTHON_VERSION = "3.11"


def venv_path() -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    # Hidden: Zappa looks for WebSocket handlers in every visible folder of the project.
    return ROOT / "build" / f".lambda-venv-{digest}"


def site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{PYTHON_VERSION}" / "site-packages"


def lambda_python() -> str:
    """A python3.11 without any virtual environment's packages."""
    if sys.version_info[:2] == (3, 11):
        candidate = Path(sys.base_prefix) / "bin" / "python3.11"
        if candidate.exists():
            return str(candidate)
    return "python3.11"


def ensure_venv(python: str | None = None) -> Path:
    """The environment for the current requirements.txt, built if missing."""
    python = python or lambda_python()
    venv = venv_path()
    done = venv / ".complete"
    if done.exists():
        return venv
    if venv.exists():  # a build that was interrupted
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    # PEP 600: pip asks `_manylinux.manylinux_compatible` whether a manylinux wheel fits;
    # this one accepts no wheel that needs a newer glibc than the Lambda runtime's.
    (site_packages(venv) / "_manylinux.py").write_text(
        '"""Wheels for the Lambda runtime only (deploy/lambda_venv.py)."""\n\n\n'
        "def manylinux_compatible(tag_major, tag_minor, tag_arch):\n"
        f"    return tag_arch == 'x86_64' and (tag_major, tag_minor) <= {LAMBDA_GLIBC!r}\n"
    )
    subprocess.run(
        [
            str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
            "--disable-pip-version-check", "-r", str(REQUIREMENTS),
        ],
        check=True,
    )
    done.write_text(REQUIREMENTS.read_text())
    return venv


def zappa_command(venv: Path) -> list[str]:
    """How to run this environment's Zappa (installed with --target, so without its script)."""
    return [str(venv / "bin" / "python"), "-c", "import sys; from zappa.cli import handle; sys.exit(handle())"]


def zappa_env(venv: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "PYTHONHOME"}}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def zappa(*args, venv: Path | None = None, **run_options) -> subprocess.CompletedProcess:
    """Run Zappa from the Lambda environment, in the project folder."""
    venv = venv or ensure_venv()
    return subprocess.run(
        [*zappa_command(venv), *args], cwd=ROOT, env=zappa_env(venv), check=True, **run_options
    )


def build_package(stage: str, output: Path) -> Path:
    zappa("package", stage, "-o", str(output))
    return output


if __name__ == "__main__":
    if sys.argv[1:2] == ["package"]:
        build_package(sys.argv[2], Path(sys.argv[3]).resolve())
    elif sys.argv[1:2] == ["zappa"]:
        sys.exit(subprocess.run([*zappa_command(ensure_venv()), *sys.argv[2:]], cwd=ROOT,
                                env=zappa_env(ensure_venv())).returncode)
    else:
        print(ensure_venv())
