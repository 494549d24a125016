"""srtest.py: shared helpers for serve's end-to-end tests (run by /usr/bin/python3).

TAP output, the test tree (with a secret beside the root), starting bin/serve
on a free 127.0.0.1 port or a unix socket and waiting until it accepts, a raw
HTTP/1.x client with timeouts, and cleanup of every process started, also when
a test fails or raises.  Nothing here waits without a bound.
"""
import atexit
import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

TOP = os.environ.get("SR_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("SR_BIN") or os.path.join(TOP, "bin")
SERVE = os.path.join(BIN, "serve")
PY = "/usr/bin/python3"

# Every file in the tree has this mtime, so Last-Modified is known in advance.
MTIME = 1700000000
MTIME_HTTP = "Tue, 14 Nov 2023 22:13:20 GMT"
# A unique marker: no response may ever contain it.
SECRET = b"SECRET-7f3a9c1e-the-daemon-must-never-send-this\n"

# ---------------------------------------------------------------- TAP


KNOWN_BUGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve-known-bugs")
STRICT = os.environ.get("SR_STRICT", "") not in ("", "0")


def known_bugs():
    """(substring, reference) pairs from serve-known-bugs: a failing check
    whose description contains the substring is reported as a SKIP naming
    the bug (TAP's TODO would count as a failure in tests/run.sh), unless
    SR_STRICT=1.  A check that passes is reported as passing either way."""
    out = []
    try:
        with open(KNOWN_BUGS, encoding="utf-8") as f:
            for ln in f:
                ln = ln.rstrip("\n")
                if ln.strip() and not ln.startswith("#") and "\t" in ln:
                    sub, ref = ln.split("\t", 1)
                    out.append((sub.strip(), ref.strip()))
    except OSError:
        pass
    return out


class Tap:
    """TAP producer.  ok() returns the condition so callers can chain."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.known = [] if STRICT else known_bugs()

    def ok(self, cond, desc, *diag):
        self.n += 1
        desc = desc.replace("\n", " ")
        bug = next((ref for sub, ref in self.known if sub in desc), None)
        if cond:
            print("ok %d - %s" % (self.n, desc), flush=True)
        elif bug:
            print("ok %d - %s # SKIP known bug: %s" % (self.n, desc, bug), flush=True)
            for d in diag:
                self.diag(d)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            for d in diag:
                self.diag(d)
        return bool(cond)

    def eq(self, got, want, desc, *diag):
        return self.ok(got == want, desc,
                       "expected %r" % (want,), "got      %r" % (got,), *diag)

    def skip(self, why, count=1):
        for _ in range(count):
            self.n += 1
            print("ok %d # SKIP %s" % (self.n, why), flush=True)

    @staticmethod
    def diag(msg):
        if isinstance(msg, bytes):
            msg = show(msg)
        for line in str(msg).splitlines() or [""]:
            print("# " + line, flush=True)

    def done(self):
        if self.n == 0:
            self.skip("nothing ran")
        print("1..%d" % self.n, flush=True)
        cleanup()
        sys.exit(1 if self.failed else 0)


def show(data, limit=1200):
    """bytes -> printable text for diagnostics (CR LF shown as \\r\\n)."""
    if data is None:
        return "(nothing)"
    cut = data[:limit]
    s = cut.decode("latin-1").encode("unicode_escape").decode("ascii")
    s = re.sub(r"(\\r\\n|\\n)", "\\1\n", s)
    if len(data) > limit:
        s += "... (%d bytes)" % len(data)
    return s


def main(fn):
    """Runs fn(tap) with cleanup; an exception becomes a 'not ok'."""
    tap = Tap()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    try:
        fn(tap)
    except SystemExit:
        raise
    except BaseException:
        tap.ok(False, "test raised an exception", traceback.format_exc())
    tap.done()


# ---------------------------------------------------------------- serve gate

_help = None


def require_serve(tap):
    """Prints a SKIP and exits 0 when bin/serve is missing or --version fails."""
    try:
        r = subprocess.run([SERVE, "--version"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        good = r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        good = False
    if not good:
        tap.skip("serve not built")
        tap.done()
    # A serve that crashes loading the test tree fails every check; while
    # that is a known bug, say so once instead of a hundred times.
    probe = Tree()
    try:
        r = subprocess.run([SERVE, "--check", "--root", probe.root], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60, cwd=probe.base)
        crashed = r.returncode < 0
    except subprocess.TimeoutExpired:
        crashed = False
    if crashed:
        bug = next((ref for sub, ref in tap.known if sub == "@crash-loading-tree"), None)
        if bug:
            tap.skip("known bug: serve --check crashes (signal %d) on the test tree: %s"
                     % (-r.returncode, bug))
            tap.done()
        tap.ok(False, "serve --check loads the test tree", "killed by signal %d" % -r.returncode,
               r.stderr.decode("utf-8", "replace")[-1000:])


def serve_help():
    global _help
    if _help is None:
        try:
            r = subprocess.run([SERVE, "--help"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=10)
            _help = (r.stdout + r.stderr).decode("utf-8", "replace")
        except (OSError, subprocess.TimeoutExpired):
            _help = ""
    return _help


def has_opt(name):
    """Whether serve --help mentions the long option name (e.g. '--cors')."""
    return re.search(re.escape(name) + r"(?![\w-])", serve_help()) is not None


def first_opt(*names):
    for n in names:
        if has_opt(n):
            return n
    return None


# ---------------------------------------------------------------- processes

_procs = []
_tmpdirs = []


def track(proc):
    _procs.append(proc)
    return proc


def kill_proc(p, timeout=5):
    """SIGTERM its process group, then SIGKILL after timeout.  Returns rc."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except OSError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(p.pid, signal.SIGKILL)  # stray children in the group
    except OSError:
        pass
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        pass
    return p.returncode


def cleanup():
    while _procs:
        kill_proc(_procs.pop())
    while _tmpdirs:
        shutil.rmtree(_tmpdirs.pop(), ignore_errors=True)


atexit.register(cleanup)


def tmpdir(tag="sr-serve"):
    d = tempfile.mkdtemp(prefix=tag + ".", dir=os.environ.get("TMPDIR"))
    _tmpdirs.append(d)
    return d


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Serve:
    """One bin/serve process in its own process group.

    listen: None (a free 127.0.0.1 port), "unix" (a socket in the temp dir),
    or a literal --listen value.  extra: more arguments.  Output goes to
    self.logpath.  wrap: argv prefix (for sh -c wrappers), with the serve
    argv appended.
    """

    def __init__(self, root, extra=(), listen=None, env=None, alias=None,
                 wait=True, pass_fds=(), wrap=None, listen_arg=True,
                 timeout=20, use_root=True):
        self.dir = tmpdir("sr-serve-run")
        self.root = root
        self.port = None
        self.sock_path = None
        if listen is None:
            self.port = free_port()
            addr = "127.0.0.1:%d" % self.port
        elif listen == "unix":
            self.sock_path = os.path.join(self.dir, "serve.sock")
            addr = "unix:" + self.sock_path
        else:
            addr = listen
            if listen.startswith("unix:"):
                self.sock_path = listen[5:]
            else:
                self.port = int(listen.rsplit(":", 1)[1])
        argv = [SERVE]
        if use_root:
            argv += ["--root", root]
        if alias:
            argv += ["--alias", alias]
        if listen_arg:
            argv += ["--listen", addr]
        argv += list(extra)
        self.argv = argv
        if wrap:
            argv = list(wrap) + argv
        self.logpath = os.path.join(self.dir, "serve.log")
        self._log = open(self.logpath, "wb")
        e = dict(os.environ)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("LISTEN_FDS", None)
        e.pop("LISTEN_PID", None)
        if env:
            e.update(env)
        for attempt in range(10):
            try:
                self.proc = track(subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                    env=e, start_new_session=True, pass_fds=pass_fds, cwd=self.dir))
                break
            except OSError as err:
                # A colleague's `make` may be rewriting bin/serve right now.
                if err.errno not in (errno.ETXTBSY, errno.ENOENT) or attempt == 9:
                    raise
                time.sleep(0.5)
        self.pid = self.proc.pid
        if wait:
            self.wait_ready(timeout)

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("serve exited with %s before accepting:\n%s"
                                   % (self.proc.returncode, self.log()))
            try:
                s = self.connect(timeout=1)
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("serve did not accept within %ss:\n%s" % (timeout, self.log()))

    def connect(self, timeout=5):
        if self.sock_path:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect(self.sock_path)
            except OSError:
                s.close()
                raise
        else:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    def conn(self, timeout=5):
        return Conn(self.connect(timeout), timeout)

    def request(self, raw, method=None, timeout=5):
        """One request on a fresh connection; returns a Response or None."""
        c = self.conn(timeout)
        try:
            c.send(raw)
            return c.read_response(method or method_of(raw))
        finally:
            c.close()

    def get(self, path, headers=(), method="GET", version="HTTP/1.1", host="localhost"):
        return self.request(build(method, path, headers, version, host), method)

    def kill(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends sig, waits up to timeout; returns the exit status or None."""
        if self.alive():
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        kill_proc(self.proc)
        if self.proc in _procs:
            _procs.remove(self.proc)
        self._log.close()
        return rc

    def url(self, path=""):
        return "http://127.0.0.1:%d%s" % (self.port, path)


# ---------------------------------------------------------------- raw HTTP


def build(method, path, headers=(), version="HTTP/1.1", host="localhost"):
    lines = ["%s %s %s" % (method, path, version)]
    if host is not None:
        lines.append("Host: " + host)
    for h in headers:
        lines.append(h if isinstance(h, str) else "%s: %s" % h)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def method_of(raw):
    m = re.match(rb"\s*([A-Za-z]+) ", raw)
    return m.group(1).decode() if m else "GET"


class Response:
    def __init__(self, version, status, reason, headers, body, raw):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body, self.raw = headers, body, raw

    def h(self, name):
        """First value of header name (case-insensitive), or None."""
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def hall(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def head(self):
        return self.raw[: len(self.raw) - len(self.body)]

    def __repr__(self):
        return show(self.head()) + ("[%d body bytes]" % len(self.body))


class Conn:
    """A connection with a read buffer; every read is bounded by timeout."""

    def __init__(self, sock, timeout=5):
        self.sock = sock
        self.timeout = timeout
        self.buf = b""
        self.eof = False
        self.everything = b""  # all bytes received, for the secret check

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        self.sock.settimeout(left)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        self.everything += d
        return True

    def read_response(self, method="GET", timeout=None):
        """Next response, or None when the connection closed/timed out first.
        A response cut short keeps what arrived (check .complete)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(deadline):
                return None
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        m = re.match(rb"(HTTP/\d\.\d) (\d{3}) ?(.*)$", lines[0])
        if not m:
            r = Response(None, 0, lines[0], [], b"", self.buf)
            self.buf = b""
            r.complete = False
            return r
        headers = []
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            headers.append((k.decode("latin-1"), v.strip().decode("latin-1")))
        status = int(m.group(2))
        r = Response(m.group(1).decode(), status, m.group(3).decode("latin-1"),
                     headers, b"", b"")
        self.buf = rest
        if method == "HEAD" or status in (204, 304) or status < 200:
            n = 0
        elif r.h("Content-Length") is not None and r.h("Content-Length").isdigit():
            n = int(r.h("Content-Length"))
        else:
            n = -1  # until close
        while n < 0 or len(self.buf) < n:
            if not self._fill(deadline):
                break
        if n < 0:
            n = len(self.buf)
        r.complete = len(self.buf) >= n
        r.body, self.buf = self.buf[:n], self.buf[n:]
        r.raw = head + b"\r\n\r\n" + r.body
        return r

    def closed(self, timeout=3):
        """True when the peer closes (EOF/reset) within timeout, with no more data."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._fill(deadline):
                break
        return self.eof and not self.buf

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------- test tree


def brotli_stored(data):
    """A valid brotli stream holding data in uncompressed meta-blocks
    (Python has no brotli module here; curl and browsers decode this)."""
    out = bytearray()
    bits = []

    def put(v, n):
        for i in range(n):
            bits.append((v >> i) & 1)

    def flush_bits():
        while len(bits) % 8:
            bits.append(0)
        for i in range(0, len(bits), 8):
            out.append(sum(b << j for j, b in enumerate(bits[i:i + 8])))
        bits.clear()

    put(0, 1)  # WBITS = 16
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        put(0, 1)           # ISLAST = 0
        put(0, 2)           # MNIBBLES = 4
        put(len(chunk) - 1, 16)
        put(1, 1)           # ISUNCOMPRESSED
        flush_bits()
        out += chunk
    put(1, 1)  # ISLAST
    put(1, 1)  # ISLASTEMPTY
    flush_bits()
    return bytes(out)


def gzip_bytes(data):
    return gzip.compress(data, 9, mtime=0)


def zstd_bytes(data):
    """data as a .zst file holds it, from Debian's zstd (installed as root
    when missing: a fresh machine lacks it), or None."""
    if not apt_install("zstd", lambda: shutil.which("zstd") is not None):
        return None
    r = subprocess.run(["zstd", "-q", "-c", "-19"], input=data,
                       capture_output=True, timeout=30)
    return r.stdout if r.returncode == 0 else None


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


def _blob(n, seed=b"staticroot"):
    """n deterministic pseudo-random bytes (every range differs)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(seed + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def django_hash(data):
    return hashlib.md5(data).hexdigest()[:12]


class Tree:
    """The test tree: base/static is the root; the secret lies beside it.

    files: rel path -> bytes of every regular file meant to be served.
    hashed: original rel path -> hashed rel path (the manifest).
    """

    def __init__(self, base=None):
        self.base = base or tmpdir("sr-tree")
        self.root = os.path.join(self.base, "static")
        self.files = {}
        self.hashed = {}
        self.variants = {}  # rel -> {"gzip": bytes, "br": bytes, "zstd": bytes}
        self._build()

    def path(self, rel):
        return os.path.join(self.root, rel)

    def _write(self, rel, data, mtime=MTIME, served=True):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (mtime, mtime))
        if served:
            self.files[rel] = data

    def _variants(self, rel, kinds=("gzip", "br", "zstd")):
        data = self.files[rel]
        v = {}
        for k in kinds:
            if k == "gzip":
                enc, suf = gzip_bytes(data), ".gz"
            elif k == "br":
                enc, suf = brotli_stored(data), ".br"
            else:
                enc, suf = zstd_bytes(data), ".zst"
            if enc is None:
                continue
            self._write(rel + suf, enc, served=False)
            v[k] = enc
        self.variants[rel] = v

    def _hashed(self, rel, data, kinds=None):
        self._write(rel, data)
        stem, ext = os.path.splitext(rel)
        h = "%s.%s%s" % (stem, django_hash(data), ext)
        self._write(h, data)
        self.hashed[rel] = h
        if kinds:
            self._variants(h, kinds)
        return h

    def _build(self):
        os.makedirs(self.root)
        # Beside the root: must never come back.
        with open(os.path.join(self.base, "secret.txt"), "wb") as f:
            f.write(SECRET)
        os.makedirs(os.path.join(self.base, "static-secret"))
        with open(os.path.join(self.base, "static-secret", "secret.txt"), "wb") as f:
            f.write(SECRET)
        with open(os.path.join(self.base, "static.txt"), "wb") as f:
            f.write(SECRET)

        css = b"/* site */\nbody { color: #333; margin: 0 auto; }\n" * 40
        js = b"export function add(a, b) { return a + b; }\n" * 30
        self._write("hello.txt", b"Hello, world!\n")
        self._write("index.html", b"<!doctype html>\n<title>staticroot</title>\n<p>hi</p>\n")
        self._write("css/site.css", css)
        self._variants("css/site.css", ("gzip",))  # variant, but no manifest entry
        self._hashed("css/app.css", b".app { display: grid; }\n" * 60, ("gzip", "br", "zstd"))
        self._hashed("js/app.js", js, ("gzip", "br"))
        self._write("js/mod.mjs", b"export const x = 1;\n")
        self._write("wasm/add.wasm", b"\x00asm\x01\x00\x00\x00")
        self._write("img/pic.avif", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf")
        self._write("img/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n')
        self._write("img/pixel.png", PNG_1PX)
        self._write("site.webmanifest", b'{"name": "staticroot"}\n')
        self._write("data.json", b'{"a": 1}\n')
        self._write("font/f.woff2", b"wOF2" + _blob(60, b"font"))
        self._write("blob.zzunknown", PNG_1PX)         # libmagic: image/png
        self._write("notes.zztext", b"plain words only\n" * 5)  # libmagic: text/plain
        self._write("big.bin", _blob(1 << 20))
        self._write("empty.txt", b"")
        self._write("same/a.txt", b"identical bytes\n", mtime=MTIME)
        self._write("same/b.txt", b"identical bytes\n", mtime=MTIME - 86400 * 100)
        self._write("sp ace/\u00fcml.txt", b"umlaut file\n")
        self._write("odd/pct%41.txt", b"literal percent name\n")  # decode once: %2541
        self._write("odd/plus+sign.txt", b"plus is no space\n")
        self._write("odd/CASE.CSS", b"a{}\n")  # extensions match in any case
        # Names no URL can reach (not UTF-8, a control byte): the scan must
        # cope, requests for them are 400.
        for name in (b"odd/caf\xe9.txt", b"odd/new\nline.txt"):
            p = os.path.join(self.root.encode(), name)
            with open(p, "wb") as f:
                f.write(SECRET)
            os.utime(p, (MTIME, MTIME))
        # Never served: dotfiles and dot directories.
        self._write(".hidden", SECRET, served=False)
        self._write(".git/config", SECRET, served=False)
        self._write("css/.env", SECRET, served=False)
        # Symlinks: one inside, three leading out.
        os.symlink("hello.txt", self.path("link-in.txt"))
        os.symlink("../secret.txt", self.path("link-out.txt"))
        os.symlink(os.path.join(self.base, "secret.txt"), self.path("link-abs.txt"))
        os.symlink("..", self.path("link-dir-out"))
        manifest = {"paths": dict(sorted(self.hashed.items())), "version": "1.0"}
        self._write("staticfiles.json", json.dumps(manifest).encode(), served=False)

    def hashed_name(self, rel):
        return self.hashed[rel]


_SECRET_WINDOWS = None


def no_secret(data):
    """True when data holds neither the secret's marker nor any 12-byte
    window of it (a range of the secret file counts as a leak too)."""
    global _SECRET_WINDOWS
    if b"SECRET-7f3a9c1e" in data or b"the-daemon-must-never" in data:
        return False
    if _SECRET_WINDOWS is None:
        _SECRET_WINDOWS = {SECRET[i:i + 12] for i in range(len(SECRET) - 11)}
    if len(data) > 262144:
        return True  # whole-file bodies of the tree: the marker check suffices
    return not any(data[i:i + 12] in _SECRET_WINDOWS for i in range(len(data) - 11))


def apt_install(pkg, present):
    """Makes sure Debian package pkg is installed (as root, bounded);
    present() tells whether it already is.  Returns present() afterwards."""
    if present():
        return True
    if os.getuid() != 0:
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        r = subprocess.run(["apt-get", "install", "-y", "-q", pkg], env=env,
                           capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True,
                           timeout=600, stdin=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", pkg], env=env,
                           capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        pass
    return present()
