"""collectstatic.py: `manage.py collectstatic` through staticroot's collect.

Takes every option of django.contrib.staticfiles' collectstatic and Django's
common ones.  It asks this process's Django (set up already by manage.py)
for its finders, storage and templates, exactly as `collect --django` has
its helper do, and runs `collect --django-json /dev/fd/N` with the document
on a pipe and the same options: one Python start for the whole deploy, and
what is collected is what Django's collectstatic would collect.  collect is
$STATICROOT_COLLECT, else the setting STATICROOT_COLLECT, else `collect` on
PATH; its output and exit status are the command's.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from staticroot import django_sources

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

    def describe(self, options):
        """What django_sources.py would print, computed here."""
        args = argparse.Namespace(
            settings=settings.SETTINGS_MODULE, project=project_dir(),
            ignore=list(options["ignore_patterns"]),
            no_default_ignore=not options["use_default_ignore_patterns"])
        try:
            return django_sources.describe(args)
        except (django_sources.Refusal, ImproperlyConfigured) as exc:
            raise CommandError(str(exc))

    def collect_argv(self, options, fd):
        argv = [find_collect(), "--django=" + settings.SETTINGS_MODULE,
                "--django-json", "/dev/fd/%d" % fd, "-v", str(options["verbosity"])]
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

    def run_collect(self, argv, options, doc, rfd, wfd):
        """Starts collect with the read end of the pipe, writes the document,
        waits.  A collect that stops before reading it (a bad option) makes
        the write fail: its own message and status are what count."""
        try:
            proc = subprocess.Popen(argv, env=self.collect_env(options), pass_fds=(rfd,))
        except OSError as exc:
            os.close(wfd)
            raise CommandError("cannot run %s: %s (%s)" % (argv[0], exc.strerror,
                                                           INSTALL_HINT))
        finally:
            os.close(rfd)
        try:
            with os.fdopen(wfd, "w", encoding="utf-8") as pipe:
                json.dump(doc, pipe, sort_keys=True)
                pipe.write("\n")
        except BrokenPipeError:
            pass
        return proc.wait()

    def handle(self, **options):
        # --no-color/--force-color: collect writes no colours.
        find_collect()  # no collect: say so before the work
        doc = self.describe(options)
        rfd, wfd = os.pipe()
        argv = self.collect_argv(options, rfd)
        self.stdout.flush()
        rc = self.run_collect(argv, options, doc, rfd, wfd)
        if rc != 0:
            if getattr(self, "_called_from_command_line", False):
                sys.exit(rc if rc > 0 else 1)
            raise CommandError("collect exited with status %d" % rc, returncode=rc)
