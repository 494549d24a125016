"""collect_fixtures.py: shared helpers for the t_collect_* end-to-end tests.

TAP output, temporary trees, running bin/collect with bounded waits, and
independent checks of what it wrote (manifest, hashed names, CSS references,
XXH3 digests through libxxhash).  Run by Debian's /usr/bin/python3, which has
python3-django.  Everything a test starts is cleaned up at exit: temporary
directories, child processes, tmpfs mounts.
"""
import atexit
import ctypes
import ctypes.util
import hashlib
import json
import os
import posixpath
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import traceback
import urllib.parse

TOP = os.environ.get('SR_TOP') or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
BIN = os.environ.get('SR_BIN') or os.path.join(TOP, 'bin')
COLLECT = os.path.join(BIN, 'collect')
FETCH_TREES = os.path.join(TOP, 'tests', 'fetch-trees.sh')
RUN_TIMEOUT = 300  # seconds; a bound on every wait, never a threshold

HEX12 = '[0-9a-f]{12}'

# --------------------------------------------------------------- TAP

_n = 0
_cases = []


def ok(cond, desc, *diags):
    global _n
    _n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _n, desc), flush=True)
    if not cond:
        for d in diags:
            diag(d)
    return bool(cond)


def skip(why):
    global _n
    _n += 1
    print('ok %d # SKIP %s' % (_n, why), flush=True)


def diag(msg):
    for line in str(msg).splitlines() or ['']:
        print('# ' + line, flush=True)


def case(fn):
    """Registers a test case; main() runs them in order, a crash is a failure."""
    _cases.append(fn)
    return fn


def main():
    require_collect()
    for fn in _cases:
        try:
            fn()
        except Exception:
            ok(False, '%s raised' % fn.__name__, traceback.format_exc())
    sys.stdout.flush()


def require_collect():
    try:
        r = subprocess.run([COLLECT, '--version'], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        if r.returncode == 0:
            return
    except (OSError, subprocess.TimeoutExpired):
        pass
    print('ok 1 # SKIP collect not built (%s --version failed)' % COLLECT)
    sys.exit(0)


# ----------------------------------------------------- clean-up registry

_tmpdirs = []
_procs = []
_mounts = []


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
    for m in reversed(_mounts):
        subprocess.run(['umount', '-l', m], stderr=subprocess.DEVNULL)
    for d in _tmpdirs:
        make_writable(d)
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))


def tmpdir(tag='t'):
    d = tempfile.mkdtemp(prefix='sr-%s.' % tag)
    os.chmod(d, 0o755)  # so that a run as nobody can reach it
    _tmpdirs.append(d)
    return d


def make_writable(d):
    for root, dirs, files in os.walk(d):
        for x in dirs + files:
            p = os.path.join(root, x)
            try:
                if not os.path.islink(p):
                    os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
            except OSError:
                pass


def register_mount(path):
    _mounts.append(path)


# ----------------------------------------------------------- running

class Result:
    def __init__(self, cmd, rc, out, err):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err

    @property
    def text(self):
        return self.out + self.err

    def __str__(self):
        return 'command: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s' % (
            ' '.join(self.cmd), self.rc, _tail(self.out), _tail(self.err))


def _tail(s, n=30):
    lines = s.splitlines()
    if len(lines) > n:
        lines = ['... (%d lines)' % (len(lines) - n)] + lines[-n:]
    return '\n'.join('  ' + x for x in lines)


def as_nobody_prefix():
    """A command prefix that drops root (root ignores file modes)."""
    if os.getuid() != 0:
        return []
    return ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']


def collect_cmd(args, noinput=True):
    return [COLLECT] + (['--noinput'] if noinput else []) + list(args)


def start(cmd, cwd=None, env=None, stdin=subprocess.DEVNULL, **kw):
    e = dict(os.environ)
    e.pop('STATIC_ROOT', None)
    if env:
        e.update(env)
    p = subprocess.Popen(cmd, cwd=cwd, env=e, stdin=stdin,
                         stdout=kw.pop('stdout', subprocess.PIPE),
                         stderr=kw.pop('stderr', subprocess.PIPE),
                         start_new_session=True, **kw)
    _procs.append(p)
    return p


def run(cmd, cwd=None, env=None, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL):
    p = start(cmd, cwd=cwd, env=env, stdin=stdin)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate(timeout=30)
        rc = 'timeout after %ds (killed)' % timeout
    return Result(cmd, rc, out.decode('utf-8', 'replace'),
                  err.decode('utf-8', 'replace'))


def collect(*args, noinput=True, nobody=False, **kw):
    """Runs bin/collect [--noinput] ARGS...; returns a Result."""
    cmd = collect_cmd(args, noinput)
    if nobody:
        cmd = as_nobody_prefix() + cmd
    return run(cmd, **kw)


SUMMARY_RE = re.compile(
    r"(\d+) static files? (copied|symlinked)(?: to '[^']*')?"
    r"(?:, (\d+) unmodified)?(?:, (\d+) post-processed)?\.")


def summary(res):
    """{'copied': N, 'unmodified': M, 'post_processed': K} or None."""
    m = None
    for m in SUMMARY_RE.finditer(res.out + '\n' + res.err):
        pass
    if not m:
        return None
    return {'copied': int(m.group(1)), 'action': m.group(2),
            'unmodified': int(m.group(3) or 0),
            'post_processed': int(m.group(4) or 0)}


# ------------------------------------------------------------- trees

def write_tree(root, files):
    """files: {relpath: bytes | str}; str is written as UTF-8."""
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if isinstance(data, str):
            data = data.encode('utf-8')
        with open(p, 'wb') as f:
            f.write(data)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def png(tag):
    """A small valid PNG whose pixels depend on tag (incompressible enough)."""
    import struct
    import zlib
    seed = hashlib.sha256(tag.encode()).digest()
    raw = b''.join(b'\x00' + hashlib.sha256(seed + bytes([y])).digest()[:24]
                   for y in range(8))

    def chunk(t, d):
        return (struct.pack('>I', len(d)) + t + d +
                struct.pack('>I', zlib.crc32(t + d) & 0xffffffff))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', 8, 8, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def files_under(root, follow=False):
    """Sorted relative paths of every non-directory entry under root."""
    out = []
    for d, dirs, files in os.walk(root, followlinks=follow):
        for x in files + [y for y in dirs if os.path.islink(os.path.join(d, y))]:
            out.append(os.path.relpath(os.path.join(d, x), root))
    return sorted(out)


def snapshot(root, with_dirs=True):
    """{relpath: (kind, inode, mtime_ns, size, sha256)} for every entry."""
    snap = {}
    for d, dirs, files in os.walk(root):
        entries = files + dirs if with_dirs else files
        for x in entries:
            p = os.path.join(d, x)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISDIR(st.st_mode):
                snap[rel + '/'] = ('dir', st.st_ino, st.st_mtime_ns, 0, '')
            elif stat.S_ISLNK(st.st_mode):
                snap[rel] = ('link', st.st_ino, st.st_mtime_ns, 0, os.readlink(p))
            else:
                snap[rel] = ('file', st.st_ino, st.st_mtime_ns, st.st_size,
                             hashlib.sha256(read(p)).hexdigest())
    if with_dirs:
        st = os.lstat(root)
        snap['./'] = ('dir', st.st_ino, st.st_mtime_ns, 0, '')
    return snap


def snapshot_diff(a, b):
    """Human-readable list of entries that differ between two snapshots."""
    out = []
    for k in sorted(set(a) | set(b)):
        if k not in a:
            out.append('new: ' + k)
        elif k not in b:
            out.append('gone: ' + k)
        elif a[k] != b[k]:
            what = [n for n, x, y in zip(('kind', 'inode', 'mtime', 'size', 'bytes'),
                                          a[k], b[k]) if x != y]
            out.append('changed (%s): %s' % (','.join(what), k))
    return out


INTERNAL = '.staticroot-'  # collect's own cache, lock and staging entries


def split_internal(diff):
    """(diff lines about served files, lines about .staticroot-* internals)."""
    served, internal = [], []
    for line in diff:
        (internal if line.split(': ', 1)[1].startswith(INTERNAL) else served).append(line)
    return served, internal


# ---------------------------------------------------------- manifest

def load_manifest(out):
    """(paths, raw bytes, ordered key list, top-level object) or Nones."""
    p = os.path.join(out, 'staticfiles.json')
    if not os.path.exists(p):
        return None, None, None, None
    raw = read(p)
    order = []

    def hook(pairs):
        order.append([k for k, _ in pairs])
        return dict(pairs)
    top = json.loads(raw.decode('utf-8'), object_pairs_hook=hook)
    paths = top.get('paths', {})
    keys = next((o for o in order if set(o) == set(paths) and len(o) == len(paths)), [])
    return paths, raw, keys, top


def hashed_re(name):
    """Regex for the hashed name of name (hash before the last extension)."""
    d, base = posixpath.split(name)
    i = base.rfind('.')
    if i <= 0:
        pat = re.escape(base) + r'\.(' + HEX12 + ')'
    else:
        pat = re.escape(base[:i]) + r'\.(' + HEX12 + ')' + re.escape(base[i:])
    return re.compile('^' + (re.escape(d + '/') if d else '') + pat + '$')


def name_hash(name, hashed):
    m = hashed_re(name).match(hashed)
    return m.group(1) if m else None


def protected_snapshot(out):
    """The bytes of staticfiles.json and of every file it names (keys and
    values): what a failed run must leave intact."""
    paths, raw, _, _ = load_manifest(out)
    snap = {'staticfiles.json': raw}
    for k, v in (paths or {}).items():
        for rel in (k, v):
            p = os.path.join(out, rel)
            snap[rel] = read(p) if os.path.isfile(p) else None
    return snap


def check_protected(out, snap, what):
    """Two TAP lines: manifest + hashed files intact, original names intact."""
    paths = json.loads(snap['staticfiles.json'])['paths']
    hashed = set(paths.values()) | {'staticfiles.json'}
    bad_h, bad_o = [], []
    for rel, data in snap.items():
        p = os.path.join(out, rel)
        cur = read(p) if os.path.isfile(p) else None
        if cur != data:
            (bad_h if rel in hashed else bad_o).append(
                '%s: %s' % (rel, 'missing' if cur is None else 'bytes changed'))
    ok(not bad_h, '%s: previous staticfiles.json and every hashed file it names intact' % what,
       *bad_h[:20])
    ok(not bad_o, '%s: original-name files the previous manifest names intact' % what,
       *bad_o[:20])


# --------------------------------------------------------- XXH3-64

_xxh = None


def xxh3(data):
    """Canonical (big-endian) hex of XXH3-64 via Debian's libxxhash0."""
    global _xxh
    if _xxh is None:
        name = ctypes.util.find_library('xxhash') or 'libxxhash.so.0'
        _xxh = ctypes.CDLL(name)
        _xxh.XXH3_64bits.restype = ctypes.c_uint64
        _xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return '%016x' % _xxh.XXH3_64bits(data, len(data))


# ------------------------------------------------------ CSS scanner

def css_refs(text):
    """[(line, kind, url)] for every url(...) and @import in CSS text.

    A small tokenizer (independent of collect's): skips comments, keeps
    strings that are not url()/@import arguments out, handles quoted and
    unquoted url() with inner whitespace, any case."""
    refs = []
    i, n, line = 0, len(text), 1

    def read_string(j):
        q = text[j]
        k = j + 1
        while k < n and text[k] != q:
            k += 2 if text[k] == '\\' else 1
        return text[j + 1:k], k + 1

    while i < n:
        c = text[i]
        if c == '\n':
            line += 1
            i += 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            line += text.count('\n', i, j)
            i = j
        elif c in '"\'':
            _, j = read_string(i)
            line += text.count('\n', i, j)
            i = j
        elif text[i:i + 4].lower() == 'url(' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in '-_')):
            j = i + 4
            while j < n and text[j] in ' \t\r\n\f':
                j += 1
            if j < n and text[j] in '"\'':
                val, j = read_string(j)
            else:
                k = text.find(')', j)
                k = n if k < 0 else k
                val, j = text[j:k].strip(), k
            k = text.find(')', j)
            k = n if k < 0 else k
            refs.append((line, 'url', val))
            line += text.count('\n', i, k)
            i = k + 1
        elif text[i:i + 7].lower() == '@import':
            j = i + 7
            while j < n and text[j] in ' \t\r\n\f':
                j += 1
            if j < n and text[j] in '"\'':
                val, j = read_string(j)
                refs.append((line, 'import', val))
                line += text.count('\n', i, j)
                i = j
            else:
                i = j  # @import url(...) is caught as url
        else:
            i += 1
    return refs


def source_mapping_urls(text):
    return re.findall(r'[#@] sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$', text, re.M)


def is_external(url):
    u = url.strip()
    low = u.lower()
    return (not u or low.startswith(('data:', 'http:', 'https:', '//', '#',
                                     'mailto:', 'about:', 'javascript:')))


def resolve(referrer, url, static_url='/static/'):
    """The output-relative path url names from referrer, or None when url
    points outside the collected tree (external, absolute elsewhere)."""
    if is_external(url):
        return None
    path = urllib.parse.urlsplit(url).path
    path = urllib.parse.unquote(path)
    if path.startswith(static_url):
        return posixpath.normpath(path[len(static_url):])
    if path.startswith('/'):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(referrer), path))


# ------------------------------------------------------------ Django

_django_ready = False


def ensure_deb(module, package):
    """Imports module from Debian's python; installs package when root."""
    try:
        return __import__(module)
    except ImportError:
        if os.getuid() != 0:
            raise
        subprocess.run(['apt-get', 'install', '-y', '-q', package],
                       stdout=sys.stderr, timeout=600,
                       env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
        return __import__(module)


def django_setup(static_root):
    """settings.configure() once (ManifestStaticFilesStorage, DEBUG off)."""
    global _django_ready
    ensure_deb('django', 'python3-django')
    if not _django_ready:
        from django.conf import settings
        settings.configure(
            DEBUG=False, STATIC_URL='/static/', STATIC_ROOT=static_root,
            INSTALLED_APPS=['django.contrib.staticfiles'],
            STATICFILES_STORAGE='django.contrib.staticfiles.storage.ManifestStaticFilesStorage')
        import django
        django.setup()
        _django_ready = True


def django_storage(out):
    """A ManifestStaticFilesStorage pointed at out (loads its manifest)."""
    django_setup(out)
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
    return ManifestStaticFilesStorage(location=out, base_url='/static/')


def django_check(out, keys=None):
    """Errors for keys whose storage.url() does not resolve to a file."""
    st = django_storage(out)
    paths, _, _, _ = load_manifest(out)
    errs = []
    for k in (keys if keys is not None else sorted(paths)):
        try:
            u = st.url(k)
        except Exception as e:
            errs.append('%s: %s' % (k, e))
            continue
        rel = resolve('', u)
        if rel is None or not os.path.isfile(os.path.join(out, rel)):
            errs.append('%s -> %s: no such file' % (k, u))
        elif rel != paths.get(k):
            errs.append('%s -> %s: not the manifest entry %s' % (k, u, paths.get(k)))
    return errs


# ------------------------------------------------------ tree index

INDEX_TYPES = {'.css': 'text/css', '.js': 'text/javascript', '.mjs': 'text/javascript',
               '.png': 'image/png', '.svg': 'image/svg+xml', '.webp': 'image/webp',
               '.avif': 'image/avif', '.woff2': 'font/woff2', '.woff': 'font/woff',
               '.wasm': 'application/wasm', '.json': 'application/json',
               '.map': 'application/json', '.webmanifest': 'application/manifest+json',
               '.txt': 'text/plain', '.gif': 'image/gif', '.jpg': 'image/jpeg',
               '.ttf': 'font/ttf', '.html': 'text/html'}
INDEX_CHARSET = ('.css', '.js', '.mjs', '.txt')


def _is_variant(f, all_files):
    return any(f.endswith(e) and f[:-len(e)] in all_files for e in ('.gz', '.br', '.zst'))


def index_problems(out, types=None, orphans=None):
    """Everything in out/.staticroot-index.json that disagrees with the files
    on disk (include/tree_index.h): listing, order, size, XXH3, mtime, type,
    immutable, encodings, manifest hash.  [] when all is well.  With a list
    as orphans, unlisted hashed names the manifest does not know (left by an
    interrupted run) go there instead of counting as problems."""
    types = dict(INDEX_TYPES, **(types or {}))
    p = os.path.join(out, '.staticroot-index.json')
    if not os.path.isfile(p):
        return ['no .staticroot-index.json']
    idx = json.loads(read(p))
    paths, raw, _, _ = load_manifest(out)
    paths = paths or {}
    bad = []
    if idx.get('version') != 1:
        bad.append('version %r' % idx.get('version'))
    if raw is not None and idx.get('manifest') != xxh3(raw):
        bad.append('"manifest" %s, XXH3 of staticfiles.json %s' % (idx.get('manifest'), xxh3(raw)))
    files = idx.get('files', [])
    ipaths = [f.get('path') for f in files]
    if ipaths != sorted(ipaths):
        bad.append('files not sorted by path')
    every = set(files_under(out))
    # dcz deltas (RFC 9842) are listed under their file, not on their own.
    deltas = {}
    for f in files:
        for d in f.get('dcz', []):
            deltas['%s.%s.dcz' % (f.get('path'), d.get('dictionary', '')[:16])] = d.get('size')
    for name, size in sorted(deltas.items())[:10]:
        fp = os.path.join(out, name)
        if not os.path.isfile(fp) or os.path.getsize(fp) != size:
            bad.append('listed delta %s missing or not %s bytes' % (name, size))
    want = {f for f in every if not _is_variant(f, every) and f not in deltas and
            not any(c.startswith('.') for c in f.split('/'))}
    hashed_names = set(paths.values())
    for f in sorted(want - set(ipaths) - {'staticfiles.json'}):
        if orphans is not None and f not in hashed_names and f not in paths and \
                re.search(r'\.[0-9a-f]{12}(\.[^./]*)?$', f):
            orphans.append(f)  # hashed name written by an interrupted run
        elif len(bad) < 10:
            bad.append('not listed: %s' % f)
    for f in sorted(set(ipaths) - want)[:10]:
        bad.append('listed but not a served file on disk: %s' % f)
    hashed = set(paths.values())
    back = {v: k for k, v in paths.items()}
    for f in files:
        rel = f.get('path')
        fp = os.path.join(out, rel or '')
        if not rel or not os.path.isfile(fp):
            continue
        data = read(fp)
        st = os.stat(fp)
        if f.get('size') != len(data):
            bad.append('%s: size %s, file has %d' % (rel, f.get('size'), len(data)))
        if f.get('hash') != xxh3(data):
            bad.append('%s: hash %s, XXH3 of file %s' % (rel, f.get('hash'), xxh3(data)))
        if f.get('mtime') != st.st_mtime_ns // 1000000000:
            bad.append('%s: mtime %s, file has %d' % (rel, f.get('mtime'), st.st_mtime_ns // 1000000000))
        # Old hashed names kept from earlier runs may stay immutable.
        old_hashed = rel not in back and rel not in paths and \
            re.search(r'\.[0-9a-f]{12}(\.[^./]*)?$', rel)
        if not old_hashed and bool(f.get('immutable')) != (rel in hashed):
            bad.append('%s: immutable %s' % (rel, f.get('immutable')))
        orig = back.get(rel, rel)
        base = posixpath.basename(orig)
        ext = base[base.rfind('.'):].lower() if base.rfind('.') > 0 else ''
        t = f.get('type') or ''
        if ext in types and t.split(';')[0].strip() != types[ext]:
            bad.append('%s: type %r, expected %s' % (rel, t, types[ext]))
        if ext in INDEX_CHARSET and 'charset=utf-8' not in t.replace(' ', '').lower():
            bad.append('%s: type %r lacks charset=utf-8' % (rel, t))
        if not t or t.startswith('inode/'):
            bad.append('%s: type %r' % (rel, t))
        encs = f.get('encodings') or {}
        for token, suffix in (('br', '.br'), ('gzip', '.gz'), ('zstd', '.zst')):
            e = encs.get(token)
            if os.path.isfile(fp + suffix):
                vd = read(fp + suffix)
                if not e or e.get('size') != len(vd) or e.get('hash') != xxh3(vd):
                    bad.append('%s: encodings.%s %r, %s on disk has %d bytes, hash %s'
                               % (rel, token, e, rel + suffix, len(vd), xxh3(vd)))
            elif e:
                bad.append('%s: encodings.%s listed, no %s on disk' % (rel, token, rel + suffix))
    return bad


HASHED_NAME_RE = re.compile(r'\.([0-9a-f]{12})(\.[^./]+)?$')


def hashed_files_sound(out):
    """Every file under out with a hashed name (old ones included) must hold
    the bytes its name promises: a hashed name is immutable.  Names sharing
    one hash across different files (a reference cycle) are skipped."""
    seen = {}
    for f in files_under(out):
        if f.startswith('.staticroot-') or f.endswith(('.gz', '.br', '.zst')):
            continue
        m = HASHED_NAME_RE.search(f)
        if m and not os.path.islink(os.path.join(out, f)):
            seen.setdefault(m.group(1), []).append(f)
    bad = []
    for h, names in sorted(seen.items()):
        if len(names) > 1:
            continue
        data = read(os.path.join(out, names[0]))
        if xxh3(data)[:12] != h:
            bad.append('%s holds bytes whose XXH3 is %s' % (names[0], xxh3(data)))
    return bad
