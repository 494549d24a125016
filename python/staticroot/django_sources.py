"""django_sources.py: asks a project's own Django what `collectstatic` would
collect, and prints it as one JSON document for `collect --django`.

Run by collect as `PYTHON django_sources.py --settings MODULE --project DIR
[--ignore PATTERN]... [--no-default-ignore]`; not an API.  The staticroot
app's collectstatic calls describe() in manage.py's own process (Django set
up already) and hands the document to `collect --django-json`, so a deploy
starts Python once.  Everything the
project's code prints while it starts goes to stderr: stdout carries only
the document.  A problem Django itself would raise on is one line on stderr
prefixed "staticroot: " and exit status 3; any other failure is Python's own
traceback (collect shows its last line).

The finders are read in STATICFILES_FINDERS order, exactly as collectstatic
walks them:
  - FileSystemFinder (the class itself): its locations, (prefix, root);
  - AppDirectoriesFinder (the class itself): its app storages, in
    INSTALLED_APPS order (only apps whose static/ directory exists);
  - any other finder, subclasses included: the files its own
    list(ignore_patterns) yields, each with storage.path(); a storage
    without local paths is an error naming the finder.
"""
import argparse
import json
import os
import sys

HELPER_VERSION = 1


class Refusal(Exception):
    """A setting collect cannot work from: one line for the user."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="django_sources.py")
    p.add_argument("--settings", required=True)
    p.add_argument("--project", default="")
    p.add_argument("--ignore", action="append", default=[])
    p.add_argument("--no-default-ignore", action="store_true")
    return p.parse_args(argv)


def dotted(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def ignore_patterns(args):
    """collectstatic's set_options(): --ignore, then the staticfiles app
    config's ignore_patterns unless --no-default-ignore, normalised."""
    from django.apps import apps
    pats = list(args.ignore)
    defaults = list(apps.get_app_config("staticfiles").ignore_patterns)
    if not args.no_default_ignore:
        pats += defaults
    return sorted({os.path.normpath(p) for p in pats}), defaults


def check_apps():
    """An installed app whose directory is gone (a removed package left in a
    virtualenv, a moved checkout) is a broken deploy, not an app without
    static files."""
    from django.apps import apps
    for ac in apps.get_app_configs():
        if not os.path.isdir(ac.path):
            raise Refusal("INSTALLED_APPS: the app '%s' has no directory at %s "
                          "(removed or moved?)" % (ac.name, ac.path))


def listed_files(finder, pats):
    out = []
    for path, storage in finder.list(pats):
        prefix = getattr(storage, "prefix", None)
        name = os.path.join(prefix, path) if prefix else path
        try:
            src = storage.path(path)
        except NotImplementedError:
            raise Refusal("STATICFILES_FINDERS: %s lists files from %s, a storage "
                          "that is not on the local disk (collect reads sources "
                          "from local files only)" % (dotted(finder), dotted(storage)))
        out.append({"name": name.replace(os.sep, "/"), "path": os.path.abspath(src)})
    return out


def finder_entry(finder, pats):
    from django.contrib.staticfiles import finders as f
    e = {"finder": dotted(finder)}
    if type(finder) is f.FileSystemFinder:
        e["kind"] = "dirs"
        e["locations"] = [{"prefix": prefix,
                           "path": finder.storages[root].location}
                          for prefix, root in finder.locations]
    elif type(finder) is f.AppDirectoriesFinder:
        e["kind"] = "dirs"
        e["locations"] = [{"prefix": "", "path": st.location, "app": app}
                          for app, st in finder.storages.items()]
    else:
        e["kind"] = "files"
        e["files"] = listed_files(finder, pats)
    return e


def storage_facts():
    """The staticfiles storage, as collectstatic would use it."""
    from django.conf import settings
    from django.contrib.staticfiles import storage as s
    stores = getattr(settings, "STORAGES", None)
    if isinstance(stores, dict) and "staticfiles" in stores:
        name = stores["staticfiles"].get("BACKEND", "")
    else:
        name = getattr(settings, "STATICFILES_STORAGE", "")
    facts = {"storage": name, "manifest": False, "local": True,
             "manifest_name": "staticfiles.json", "manifest_strict": True}
    try:
        st = s.staticfiles_storage
        st._setup() if getattr(st, "_wrapped", None) is None or \
            type(st._wrapped).__name__ == "object" else None
        cls = type(st._wrapped)
    except Exception as exc:  # a remote storage that cannot start here
        facts["local"] = False
        facts["error"] = "%s: %s" % (type(exc).__name__, exc)
        return facts
    from django.core.files.storage import FileSystemStorage
    facts["storage"] = facts["storage"] or dotted(cls)
    facts["local"] = issubclass(cls, FileSystemStorage)
    if issubclass(cls, s.ManifestFilesMixin):
        facts["manifest"] = True
        facts["manifest_name"] = getattr(cls, "manifest_name", "staticfiles.json")
        facts["manifest_strict"] = bool(getattr(cls, "manifest_strict", True))
    return facts


def engine_dirs(base, app_dirname):
    """The directories of every TEMPLATES engine whose backend is base (or a
    subclass): its DIRS, then the apps' app_dirname/ when APP_DIRS, read
    from settings.TEMPLATES rather than by starting the engines (a
    DjangoTemplates engine imports every installed templatetag library as it
    starts: DRF's pulls in coreapi and requests, 0.25 s of CPU)."""
    from django.conf import settings
    from django.template.utils import get_app_template_dirs
    from django.utils.module_loading import import_string
    out = []
    for conf in settings.TEMPLATES:
        backend = import_string(conf["BACKEND"])
        if not (isinstance(backend, type) and issubclass(backend, base)):
            continue
        out += list(conf.get("DIRS", []))
        if conf.get("APP_DIRS"):
            out += list(get_app_template_dirs(app_dirname))
    return out


def existing(dirs):
    seen, out = set(), []
    for d in dirs:
        d = os.path.abspath(os.fspath(d))
        if d not in seen and os.path.isdir(d):
            seen.add(d)
            out.append(d)
    return out


def template_dirs():
    """Every directory a DjangoTemplates engine reads (DIRS, then the apps'
    templates/ when APP_DIRS), then every installed app's templates/."""
    from django.apps import apps
    from django.template.backends.django import DjangoTemplates
    return existing(engine_dirs(DjangoTemplates, "templates") +
                    [os.path.join(ac.path, "templates") for ac in apps.get_app_configs()])


def jinja2_dirs():
    """Every directory a Jinja2 engine reads (DIRS, then the apps' jinja2/
    when APP_DIRS); none without Jinja2 (no such engine could start)."""
    try:
        from django.template.backends.jinja2 import Jinja2
    except ImportError:
        return []
    return existing(engine_dirs(Jinja2, "jinja2"))


def describe(args):
    """The document: args has settings, project, ignore, no_default_ignore.
    Raises Refusal (or Django's ImproperlyConfigured) for the user."""
    import django
    import django.apps
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    if not django.apps.apps.ready:  # manage.py has set it up already
        django.setup()
    if not any(ac.name == "django.contrib.staticfiles"
               for ac in django.apps.apps.get_app_configs()):
        raise Refusal("INSTALLED_APPS has no django.contrib.staticfiles: "
                      "`manage.py collectstatic` would not exist either")
    check_apps()
    pats, defaults = ignore_patterns(args)
    root = settings.STATIC_ROOT
    doc = {
        "staticroot_helper": HELPER_VERSION,
        "django_version": django.get_version(),
        "manifest_version": getattr(ManifestFilesMixin, "manifest_version", "1.0"),
        "settings_module": settings.SETTINGS_MODULE,
        "static_root": os.path.abspath(os.fspath(root)) if root else None,
        "static_url": settings.STATIC_URL,
        "default_ignore_patterns": defaults,
        "ignore_patterns": pats,
        "finders": [finder_entry(f, pats) for f in get_finders()],
        "template_dirs": template_dirs(),
        "jinja2_dirs": jinja2_dirs(),
    }
    doc.update(storage_facts())
    return doc


def main(argv):
    args = parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # a settings module's print() must not reach collect
    if args.project:
        sys.path.insert(0, os.path.abspath(args.project))
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    try:
        import django  # noqa: F401
    except ImportError as exc:
        print("staticroot: %s has no Django (%s)" % (sys.executable, exc), file=sys.stderr)
        return 3
    from django.core.exceptions import ImproperlyConfigured
    try:
        doc = describe(args)
    except (Refusal, ImproperlyConfigured) as exc:
        print("staticroot: %s" % exc, file=sys.stderr)
        return 3
    json.dump(doc, out, sort_keys=True)
    out.write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
