#!/usr/bin/env python3
"""Install and run Shiplog with one command (standard library only, Python 3.11+).

    python3 run.py [--port 8000] [--host 127.0.0.1]   web + Celery worker + beat, embedded Redis
    python3 run.py test [pytest args]                 the whole test suite

Both create ``.venv`` when it is missing and install ``requirements.txt`` into it whenever
that file changed since the last install (its hash is kept in ``.venv/requirements.sha256``),
then hand over to the virtualenv's Python: ``manage.py run ...`` or ``-m pytest ...``.
The arguments are checked first, so ``--help`` or a mistyped option answers at once.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / "requirements.sha256"


def bootstrap():
    if sys.version_info < (3, 11):
        sys.exit(f"Shiplog needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtualenv in {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True, clear=VENV.exists())
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing requirements.txt into .venv ...", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check",
                        "-r", str(REQUIREMENTS)], check=True)
        STAMP.write_text(wanted + "\n")


def arguments():
    """The options of ``manage.py run`` that matter here; any other is passed on to it."""
    parser = argparse.ArgumentParser(
        prog="python3 run.py", usage="%(prog)s [--host HOST] [--port PORT]\n       %(prog)s test [pytest args]",
        description="Install Shiplog into .venv, then run the web server, a Celery worker and Celery beat "
                    "(with the embedded Redis unless REDIS_URL is set) until Ctrl-C.",
        epilog="'%(prog)s test [pytest args]' runs the test suite instead. Configuration: README.md.")
    parser.add_argument("--host", default="127.0.0.1", help="address the web server binds (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port the web server binds (default 8000); with PUBLIC_BASE_URL unset, "
                             "links and emails use this host and port")
    return parser


def main(args):
    if args[:1] != ["test"]:
        arguments().parse_known_args(args)  # answers --help, or refuses a bad --port, before installing
    bootstrap()
    os.chdir(ROOT)
    if args[:1] == ["test"]:
        command = [str(PYTHON), "-m", "pytest", *args[1:]]
    else:
        command = [str(PYTHON), "manage.py", "run", *args]
    sys.stdout.flush()
    os.execv(command[0], command)  # same pid: Ctrl-C and SIGTERM reach the command directly


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except subprocess.CalledProcessError as error:
        sys.exit(f"Installing the requirements failed (exit status {error.returncode}).")
    except KeyboardInterrupt:
        sys.exit(130)
