"""benchlib.py: timing, medians and tables shared by bench/collect.py and
bench/serve.py.  Standard library only (runs under Debian's /usr/bin/python3)."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_timed(cmd, env=None, cwd=None, timeout=3600):
    """Runs cmd under /usr/bin/time -v.  Returns (wall seconds, peak RSS in
    KB, exit status, last lines of stdout, last lines of stderr).  The wall
    time is ours, taken around the child; os.sync() first so one run's
    writeback does not land in the next one's time."""
    os.sync()
    with tempfile.NamedTemporaryFile("r", prefix="bench-time.") as tf, \
            tempfile.TemporaryFile("w+") as out, \
            tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        try:
            rc = subprocess.call(["/usr/bin/time", "-v", "-o", tf.name] + cmd,
                                 env=env, cwd=cwd, stdout=out, stderr=err,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = -1
        secs = time.monotonic() - t0
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
        out.seek(0)
        err.seek(0)
        otail, etail = out.read()[-2000:], err.read()[-2000:]
    return secs, int(m.group(1)) if m else 0, rc, otail, etail


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_secs(s):
    if s is None:
        return "n/a"
    if s < 0.1:
        return "%.1f ms" % (s * 1000)
    if s < 10:
        return "%.2f s" % s
    return "%.1f s" % s


def fmt_ratio(r):
    if r is None:
        return "n/a"
    return "%.0f×" % r if r >= 10 else "%.1f×" % r if r >= 1 else "%.2f×" % r


def text_table(headers, rows):
    """Column-aligned plain text."""
    cells = [headers] + [[str(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for k, r in enumerate(cells):
        out.append("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
        if k == 0:
            out.append("  ".join("-" * x for x in w))
    return "\n".join(out)


def md_table(headers, rows):
    esc = lambda c: str(c).replace("|", "\\|")
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)
