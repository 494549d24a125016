"""reliability_fixtures.py: shared pieces of the t_collect_reliability_* tests.

The sample site's sources copied into a scratch tree (so that an
incremental change does not touch the checkout), the "generation" view of
an output (every served name with its bytes, staticfiles.json and the
index included, collect's own .staticroot-* files left out), the check
that an output is exactly one of two generations, and the list of
temporaries a finished run must not leave behind.
"""
import atexit
import os
import shutil
import subprocess
import tempfile

from collect_fixtures import (TOP, BIN, COLLECT, RUN_TIMEOUT, read, write_tree,  # noqa: F401
                              index_problems, hashed_files_sound, load_manifest, png, tmpdir)

SAMPLE = os.path.join(TOP, 'sample_site')
SAMPLE_SOURCES = ['static', 'lists/static', 'accounts/static']
SHIM = os.path.join(BIN, 'tests', 'fault', 'faultshim.so')
MALLOC_SHIM = os.path.join(BIN, 'tests', 'fault', 'faultmalloc.so')
SOAK = os.environ.get('SR_SOAK') == '1'

# What collect's temporaries look like (tempfile.h, generation.h, run.h).
TEMP_MARKS = ('.sr-tmp', '.staticroot-next', '.staticroot-probe', '.staticroot-tmp')


def copy_sample(dst):
    """The sample site's three source trees under dst; their paths."""
    srcs = []
    for rel in SAMPLE_SOURCES:
        d = os.path.join(dst, rel.replace('/', '_'))
        shutil.copytree(os.path.join(SAMPLE, rel), d)
        srcs.append(d)
    return srcs


def change_sample(srcs):
    """An incremental change touching every kind of output: a stylesheet
    that others reference (its hash and its referrers' change), an image
    new bytes, a new file, a removed one."""
    static = srcs[0]
    with open(os.path.join(static, 'css', 'print.css'), 'a') as f:
        f.write('\n/* changed */ .x { color: red; }\n')
    write_tree(static, {'img/new-one.png': png('new-one'),
                        'js/extra.js': 'console.log("extra");\n' * 30})
    logo = os.path.join(static, 'img', 'logo small.png')
    if os.path.exists(logo):
        with open(logo, 'ab') as f:
            f.write(b'\0changed')
    os.unlink(os.path.join(static, 'LICENSE'))


def generation(out):
    """{relpath: bytes} of every file a reader sees under out, or None when
    out does not exist.  Symlinks as 'symlink:target'."""
    if not os.path.isdir(out):
        return None
    g = {}
    for d, dirs, files in os.walk(out):
        rel_d = os.path.relpath(d, out)
        if rel_d == '.':
            dirs[:] = [x for x in dirs if not x.startswith('.staticroot-')]
        for x in files + [y for y in dirs if os.path.islink(os.path.join(d, y))]:
            p = os.path.join(d, x)
            rel = os.path.normpath(os.path.join(rel_d, x))
            if rel.startswith('.staticroot-') and rel != '.staticroot-index.json':
                continue
            g[rel] = ('symlink:' + os.readlink(p)).encode() if os.path.islink(p) else read(p)
    return g


def describe_diff(want, got, limit=8):
    """Short list of what differs between two generations."""
    want, got = want or {}, got or {}
    out = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            out.append('missing ' + k)
        elif k not in want:
            out.append('extra ' + k)
        elif want[k] != got[k]:
            out.append('other bytes in ' + k)
        if len(out) >= limit:
            break
    return out


def temporaries(parent):
    """Every path under parent (the output's parent directory: siblings
    count) that looks like one of collect's temporaries."""
    found = []
    for d, dirs, files in os.walk(parent):
        for x in dirs + files:
            if any(m in x for m in TEMP_MARKS) or '.tmp.' in x:
                found.append(os.path.relpath(os.path.join(d, x), parent))
    return sorted(found)


def empty_generation(g):
    """A first run that failed: nothing served (the lock file only)."""
    return g is None or not g


def run_collect(args, env=None, timeout=RUN_TIMEOUT):
    """(rc, stdout, stderr) of bin/collect --noinput args."""
    e = dict(os.environ)
    e.pop('STATIC_ROOT', None)
    e.pop('STATIC_URL', None)
    e.update(env or {})
    p = subprocess.run([COLLECT, '--noinput'] + list(args), env=e, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def sound(out):
    """Problems of a finished generation: the index disagrees with the
    files, a hashed name holds other bytes, a manifest entry is missing."""
    bad = index_problems(out) + hashed_files_sound(out)
    paths, _, _, _ = load_manifest(out)
    for k, v in sorted((paths or {}).items()):
        for rel in (k, v):
            if not os.path.isfile(os.path.join(out, rel)):
                bad.append('manifest names %s, not on disk' % rel)
    return bad


def scratch(tag):
    """A directory on a tmpfs when there is one (/dev/shm): fsync is free
    there, so thousands of runs cost no disk flushes; the filesystem calls
    are the same."""
    if os.path.isdir('/dev/shm') and os.access('/dev/shm', os.W_OK):
        d = tempfile.mkdtemp(prefix='sr-%s-' % tag, dir='/dev/shm')
        atexit.register(shutil.rmtree, d, True)
        return d
    return tmpdir(tag)
