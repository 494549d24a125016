"""collectstatic.py: `manage.py collectstatic` through staticroot's collect.

Takes every option of django.contrib.staticfiles' collectstatic and Django's
common ones, and runs `collect --django SETTINGS --python THIS_PYTHON` with
them: collect asks this project's Django for its finders, storage and
templates, so what is collected is what Django's collectstatic would collect.
collect is $STATICROOT_COLLECT, else the setting STATICROOT_COLLECT, else
`collect` on PATH; its output and exit
status are the command's.
"""
import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

INSTALL_HINT = ("staticroot's collect is not installed: put it on PATH (make install "
                "in a staticroot checkout) or set STATICROOT_COLLECT=/path/to/collect")


def find_collect():
    """$STATICROOT_COLLECT, settings.STATICROOT_COLLECT, then PATH."""
    path = (os.environ.get("STATICROOT_COLLECT") or
            getattr(settings, "STATICROOT_COLLECT", None) or shutil.which("collect"))
    if not path or not os.access(path, os.X_OK) or os.path.isdir(path):
        raise CommandError(INSTALL_HINT)
    return path


def project_dir():
    """Where manage.py is: sys.path[0] when run as `python manage.py`."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(script) == "manage.py":
        return os.path.dirname(script)
    return os.getcwd()


class Command(BaseCommand):
    help = ("Collect static files in a single location, with staticroot's collect "
            "(hashed names, staticfiles.json, precompressed variants).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do NOT prompt the user for input of any kind.")
        parser.add_argument(
            "--no-post-process", action="store_false", dest="post_process",
            help="Do NOT post process collected files.")
        parser.add_argument(
            "-i", "--ignore", action="append", default=[], dest="ignore_patterns",
            metavar="PATTERN",
            help="Ignore files or directories matching this glob-style pattern. "
                 "Use multiple times to ignore more.")
        parser.add_argument(
            "-n", "--dry-run", action="store_true",
            help="Do everything except modify the filesystem.")
        parser.add_argument(
            "-c", "--clear", action="store_true",
            help="Clear the existing files using the storage before trying to "
                 "copy or link the original file.")
        parser.add_argument(
            "-l", "--link", action="store_true",
            help="Create a symbolic link to each file instead of copying.")
        parser.add_argument(
            "--no-default-ignore", action="store_false",
            dest="use_default_ignore_patterns",
            help="Don't ignore the common private glob-style patterns "
                 "(defaults to 'CVS', '.*' and '*~').")

    def collect_argv(self, options):
        argv = [find_collect(), "--django=" + settings.SETTINGS_MODULE,
                "--python", sys.executable, "-v", str(options["verbosity"])]
        if not options["interactive"]:
            argv.append("--noinput")
        if not options["post_process"]:
            argv.append("--no-post-process")
        for pattern in options["ignore_patterns"]:
            argv += ["--ignore", pattern]
        if options["dry_run"]:
            argv.append("--dry-run")
        if options["clear"]:
            argv.append("--clear")
        if options["link"]:
            argv.append("--link")
        if not options["use_default_ignore_patterns"]:
            argv.append("--no-default-ignore")
        return argv

    def collect_env(self, options):
        """--settings and --pythonpath already shaped this process; the
        helper collect starts must import the same modules."""
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE)
        if options.get("traceback"):
            env["STATICROOT_TRACEBACK"] = "1"  # collect prints the whole traceback
        extra = [p for p in (options.get("pythonpath"), project_dir()) if p]
        if env.get("PYTHONPATH"):
            extra.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(extra)
        return env

    def handle(self, **options):
        # --no-color/--force-color: collect writes no colours.
        argv = self.collect_argv(options)
        self.stdout.flush()
        try:
            rc = subprocess.call(argv, env=self.collect_env(options))
        except OSError as exc:
            raise CommandError("cannot run %s: %s (%s)" % (argv[0], exc.strerror,
                                                           INSTALL_HINT))
        if rc != 0:
            if getattr(self, "_called_from_command_line", False):
                sys.exit(rc if rc > 0 else 1)
            raise CommandError("collect exited with status %d" % rc, returncode=rc)
