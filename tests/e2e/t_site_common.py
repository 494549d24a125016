"""t_site_common.py: shared by the t_site_* tests: TAP output, package
installation, the stack (deploy/stack.sh) from Python, and check_site(), the
functional check of the deployed sample site that the browser test runs on a
good stack and on broken ones.

Not a test itself (not executable): `import t_site_common` from a test.
"""
import html.parser
import json
import os
import posixpath
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

TOP = os.environ.get("SR_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("SR_BIN") or os.path.join(TOP, "bin")
STACK_SH = os.path.join(TOP, "deploy", "stack.sh")
# The sample's settings list the staticroot app: a copy of the site outside
# the checkout finds it as an uninstalled checkout's user would, on PYTHONPATH.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [os.path.join(TOP, "python")] + [p for p in [os.environ.get("PYTHONPATH")] if p])

# What each kind of file must be served as (the media type, before ';').
EXPECTED_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".map": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}


# --- TAP ---------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        if not cond:
            self.failed += 1
            for line in (detail or "").splitlines():
                self.diag(line)
        return cond

    def skip(self, why):
        self.n += 1
        print("ok %d # SKIP %s" % (self.n, why), flush=True)

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def stop_on_term():
    """SIGTERM (run.sh's timeout) unwinds like an exception, so finally
    blocks stop the stack."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


# --- packages ------------------------------------------------------------------

def _have(cmd):
    return shutil.which(cmd) or os.path.exists(cmd)


def ensure_packages(tap, browser=True):
    """Installs from Debian what the site tests use, when missing and root.
    Returns None, or why the tests must be skipped."""
    want = {"nginx-light": _have("/usr/sbin/nginx"),
            "gunicorn": _have("/usr/bin/gunicorn"),
            "python3-django": _importable("django")}
    if browser:
        want["python3-selenium"] = _importable("selenium")
        want["chromium"] = _have("/usr/bin/chromium")
        want["chromium-driver"] = _have("/usr/bin/chromedriver")
    missing = sorted(p for p, have in want.items() if not have)
    if missing and os.geteuid() == 0:
        tap.diag("installing " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        lists = "/var/lib/apt/lists"
        if not any("Packages" in f for f in os.listdir(lists)):
            subprocess.run(["apt-get", "update", "-q"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        r = subprocess.run(["apt-get", "install", "-y", "-q"] + missing, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            tap.diag(r.stdout[-2000:])
            return "apt-get install %s failed" % " ".join(missing)
        return None
    if missing:
        return "missing Debian packages (as root: apt-get install -y %s)" % " ".join(missing)
    for prog in ("collect", "serve"):
        if not os.access(os.path.join(BIN, prog), os.X_OK):
            return "%s/%s not built yet" % (BIN, prog)
    return None


def _importable(mod):
    return subprocess.run([sys.executable, "-c", "import " + mod],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- the stack -------------------------------------------------------------------

class Stack:
    """collect + serve + gunicorn + nginx, through deploy/stack.sh."""

    def __init__(self, run_dir, site=None, alias=None, static_root=None,
                 collect=True):
        self.dir = run_dir
        self.port = free_port()
        self.env = dict(os.environ, SR_TOP=TOP, SR_BIN=BIN, STACK_DIR=run_dir,
                        STACK_PORT=str(self.port), STACK_HOST="127.0.0.1")
        if site:
            self.env["STACK_SITE"] = site
        if alias:
            self.env["STACK_ALIAS"] = alias
        self.static_root = static_root or os.path.join(run_dir, "static")
        self.env["STATIC_ROOT"] = self.static_root
        if not collect:
            self.env["STACK_COLLECT"] = "0"
        self.url = "http://127.0.0.1:%d/" % self.port
        self.log = ""

    def _sh(self, script):
        return subprocess.run(["sh", "-c", '. "$SR_TOP/deploy/stack.sh" && ' + script],
                              env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def start(self):
        r = self._sh("stack_start")
        self.log = r.stdout
        return r.returncode == 0

    def stop(self):
        self._sh("stack_stop")

    def pid(self, name):
        f = "nginx.pid.start" if name == "nginx" else name + ".pid"
        with open(os.path.join(self.dir, f)) as fh:
            return int(fh.read())

    def logfile(self, name):
        return os.path.join(self.dir, "logs", name + ".log")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --- fetching and parsing ---------------------------------------------------------

class Response:
    def __init__(self, status, headers, body, error=None):
        self.status, self.headers, self.body, self.error = status, headers, body, error

    def header(self, name):
        return self.headers.get(name, "") if self.headers else ""


def fetch(url, timeout=10):
    """GET url; never raises. status 0 with .error on a transport failure."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())
    except Exception as e:  # refused, reset, timeout: all count as failures
        return Response(0, None, b"", error="%s: %s" % (type(e).__name__, e))


class PageRefs(html.parser.HTMLParser):
    """The static resources an HTML page loads: stylesheets, icons, scripts,
    images (href/src as written)."""

    def __init__(self):
        super().__init__()
        self.refs = []   # (kind, url)
        self.links = []  # other hrefs

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").split()
            kind = "stylesheet" if "stylesheet" in rel else "icon" if "icon" in rel else None
            if kind:
                self.refs.append((kind, a["href"]))
        elif tag in ("script", "img") and a.get("src"):
            self.refs.append(("script" if tag == "script" else "image", a["src"]))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", re.M)


def css_refs(text):
    """url()s and @imports of a stylesheet, outside comments."""
    text = CSS_COMMENT.sub("", text)
    out = []
    for m in CSS_IMPORT.finditer(text):
        out.append(("stylesheet", m.group(1) or m.group(2)))
    for m in CSS_URL.finditer(text):
        u = m.group(1) or m.group(2) or m.group(3)
        if not u:
            continue
        ext = posixpath.splitext(urllib.parse.urlsplit(u).path)[1].lower()
        kind = {".css": "stylesheet", ".woff": "font", ".woff2": "font",
                ".ttf": "font", ".eot": "font", ".otf": "font"}.get(ext, "image")
        out.append((kind, u))
    return out


def absolute(base, ref):
    """ref resolved against base, as a browser requests it: fragment
    dropped, unsafe characters percent-encoded (a space, non-ASCII)."""
    u = urllib.parse.urljoin(base, ref)
    u = urllib.parse.urldefrag(u)[0]
    parts = urllib.parse.urlsplit(u)
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def static_name(url, static_url="/static/"):
    """The name under STATIC_ROOT a /static/... URL stands for (decoded)."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return path[len(static_url):] if path.startswith(static_url) else None


def last_error_line(logfile):
    """The most telling line of an app's log (the exception), or ''."""
    try:
        with open(logfile, errors="replace") as f:
            lines = [l.rstrip() for l in f if l.strip()]
    except OSError:
        return ""
    for l in reversed(lines):
        if re.search(r"(Error|Exception)\b.*:", l) and not l.startswith(" "):
            return l
    return lines[-1] if lines else ""


# --- the functional check -------------------------------------------------------

def check_site(stack, driver=None, manifest_root=None):
    """Checks the deployed site the way its users would; returns
    (problems, facts).  problems is a list of one-line messages, each naming
    what broke and the likely cause; empty when everything holds.  facts:
    what was seen (asset URLs, the input box centre, ...)."""
    problems, facts = [], {"assets": {}}
    base = stack.url
    manifest_root = manifest_root or stack.static_root

    page = fetch(base)
    facts["home_status"] = page.status
    html_text = page.body.decode("utf-8", "replace")
    if page.status != 200:
        why = last_error_line(stack.logfile("gunicorn"))
        problems.append("home page: HTTP %s from Django through nginx%s" % (
            page.status or page.error,
            "; the app logged: " + why if why else ""))
        if "manifest" in why.lower():
            problems.append("Django could not resolve {% static %}: "
                            "staticfiles.json is missing or lacks an entry "
                            "(did `collect --noinput` run into STATIC_ROOT?)")

    # Every resource the page loads, and what those load in turn.
    refs = PageRefs()
    refs.feed(html_text)
    todo = [(kind, absolute(base, u), "the page") for kind, u in refs.refs]
    facts["page_refs"] = [u for _, u in refs.refs]
    seen = {}
    while todo:
        kind, url, referrer = todo.pop(0)
        if url in seen or not url.startswith(base):
            continue
        r = fetch(url)
        seen[url] = (kind, r)
        facts["assets"][url] = (kind, r.status, r.header("Content-Type"),
                                r.header("Cache-Control"))
        if r.status == 200 and kind == "stylesheet":
            text = r.body.decode("utf-8", "replace")
            todo += [(k, absolute(url, u), url) for k, u in css_refs(text)]
        if r.status == 200 and kind == "script":
            for m in SOURCE_MAP.finditer(r.body.decode("utf-8", "replace")):
                todo.append(("source map", absolute(url, m.group(1)), url))
        problems += _asset_problems(kind, url, referrer, r)

    # {% static %} went through our staticfiles.json (DEBUG is off).
    problems += _manifest_problems(refs.refs, manifest_root, facts)

    if driver is not None:
        problems += _browser_problems(driver, base, facts)
    return problems, facts


def _asset_problems(kind, url, referrer, r):
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    where = "%s %s (from %s)" % (kind, name, referrer)
    if r.status != 200:
        hint = ""
        if r.status == 404:
            hint = ("; serve has no such file under /static/: wrong --alias or "
                    "--root, or collect did not write it")
        elif r.status in (502, 504) or r.status == 0:
            hint = "; nginx could not reach serve's socket"
        return ["%s: HTTP %s%s" % (where, r.status or r.error, hint)]
    out = []
    ext = posixpath.splitext(name)[1].lower()
    want = EXPECTED_TYPES.get(ext)
    got = r.header("Content-Type").split(";")[0].strip().lower()
    if want and got != want:
        out.append("%s: Content-Type %r, want %r (browsers refuse a stylesheet "
                   "or script with the wrong type under nosniff)"
                   % (where, r.header("Content-Type"), want))
    cc = r.header("Cache-Control")
    if "immutable" not in cc:
        out.append("%s: Cache-Control %r, not immutable: not a hashed name "
                   "listed in staticfiles.json (manifest missing or stale?)"
                   % (where, cc))
    return out


def _manifest_problems(page_refs, root, facts):
    path = os.path.join(root, "staticfiles.json")
    try:
        with open(path, encoding="utf-8") as f:
            paths = json.load(f)["paths"]
    except (OSError, ValueError, KeyError) as e:
        return ["staticfiles.json: cannot read %s (%s): Django's "
                "ManifestStaticFilesStorage has nothing to resolve {%% static %%} "
                "with" % (path, e)]
    hashed = set(paths.values())
    out, resolved = [], []
    for kind, u in page_refs:
        name = static_name(u)
        if name is None:
            out.append("the page links %s outside /static/" % u)
        elif name in hashed:
            resolved.append(name)
        elif name in paths:
            out.append("the page links %s by its plain name, not %s: Django "
                       "did not go through staticfiles.json" % (name, paths[name]))
        else:
            out.append("the page links %s, which staticfiles.json does not list "
                       "(stale manifest?)" % name)
    facts["manifest_resolved"] = resolved
    return out


def _browser_problems(driver, base, facts):
    from selenium.webdriver.common.by import By
    out = []
    driver.set_window_size(1024, 768)
    driver.get(base)
    facts["viewport"] = driver.execute_script(
        "return [document.documentElement.clientWidth, window.innerWidth]")
    try:
        box = driver.find_element(By.ID, "id_new_item")
    except Exception:
        return ["the browser found no id_new_item on the page (title %r)" % driver.title]
    centre = box.location["x"] + box.size["width"] / 2
    facts["input_centre"] = centre
    if abs(centre - 512) > 10:
        out.append("input box centre at %.1f, not 512 within 10 px: the CSS did "
                   "not apply (the chapter's `117.0 != 512 within 10 delta`)" % centre)
    # What the browser itself fetched, as it saw it (Chrome has responseStatus).
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) {"
        " return [e.name, e.initiatorType, e.responseStatus || 0]; })")
    facts["browser_resources"] = entries
    for name, initiator, status in entries:
        if status and status >= 400:
            out.append("the browser got HTTP %d for %s (%s)" % (status, name, initiator))
    fonts = driver.execute_script(
        "var r = []; document.fonts.forEach(function (f) {"
        " r.push([f.family, f.status]); }); return r;")
    facts["fonts"] = fonts
    for family, status in fonts:
        if status != "loaded":
            out.append("web font %s: %s in the browser (not served, or served "
                       "broken)" % (family, status))
    return out


def chromium(user_data_dir):
    """One headless Chromium through chromedriver, 1024x768."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1024,768",
              "--user-data-dir=" + user_data_dir):
        opts.add_argument(a)
    service = Service("/usr/bin/chromedriver", log_path=os.devnull)
    return webdriver.Chrome(service=service, options=opts)


def tempdir(tag):
    return tempfile.mkdtemp(prefix="sr-%s." % tag, dir=os.environ.get("TMPDIR"))
