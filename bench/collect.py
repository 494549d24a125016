#!/usr/bin/python3
"""collect.py: part A of `make bench`: bin/collect against Django's collectstatic.

usage: collect.py BINDIR WORKDIR MDFILE LABEL=TREE...

For each tree and each mode, runs the anchor and bin/collect interleaved
(anchor cold, collect cold, anchor no-op rerun, collect no-op rerun) in
rounds, then prints medians and ratios and writes them as markdown to MDFILE.
Modes: hashing + rewriting (Django's ManifestStaticFilesStorage against
`collect --no-compress`), exhaustive compression (WhiteNoise's
CompressedManifestStaticFilesStorage, gzip + brotli-11, against
`collect --compress-level max --no-cache-dir`) and the default (plain
`collect` with an empty compression cache of its own, then again with that
cache warm into a fresh output; its anchors are the other two modes' runs of
the same round).  A cold run starts from an empty output directory; a no-op
run repeats the run on its own output.

Environment:
  BENCH_ROUNDS=3        rounds of collect (no-op reruns: every mode; cold: hashing),
                        and of Django Manifest on the real tree
  BENCH_COMPRESS_ROUNDS=1  cold rounds of collect with gzip+br-11 (minutes each)
  BENCH_SLOW_ROUNDS=1   rounds of WhiteNoise, and of every anchor on the other trees
  BENCH_GEN_WHITENOISE=0  1: also run WhiteNoise on the generated tree (slow)
  BENCH_KEEP=0          1: keep the output directories
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (env_int, fmt_ratio, fmt_secs, log, md_table, median,
                      run_timed, text_table)

HERE = os.path.dirname(os.path.abspath(__file__))
DJANGO = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
WHITENOISE = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# mode -> (anchor name, storage, collect flags, cold target, no-op target)
MODES = {
    "hash": ("Django Manifest", DJANGO, ["--no-compress"], 30, 100),
    "gzip+br": ("WhiteNoise", WHITENOISE,
                ["--compress=gzip,br", "--compress-level", "max", "--no-cache-dir"], 6, 1000),
    # the default: its anchors are the hash and gzip+br pairs' runs
    "default": ("Django Manifest", None, [], 1, 0),
}
# Issue #11's goals for the default run.
DEFAULT_VS_DJANGO = 1.0      # default cold / Django Manifest cold, at most
DEFAULT_VS_WHITENOISE = 10   # WhiteNoise cold / default cold, at least
WARM_VS_NOCOMPRESS = 1.2     # default cold with a warm cache / --no-compress cold, at most
BR_WITHIN, GZ_WITHIN = 2.0, 1.0  # % above brotli-11 / zlib-9 totals, at most
RSS_LIMIT_MB = 200


def settings_dir(work):
    """A directory holding only django_settings.py, for the anchors'
    PYTHONPATH: bench/ itself has a django.py (the django part), which
    `python3 -m django` would run instead of Django."""
    d = os.path.join(work, "anchor-settings")
    if not os.path.exists(os.path.join(d, "django_settings.py")):
        os.makedirs(d, exist_ok=True)
        shutil.copy(os.path.join(HERE, "django_settings.py"), d)
    return d


def tree_stats(root):
    n = size = 0
    for d, _, files in os.walk(root, followlinks=True):
        for f in files:
            n += 1
            size += os.path.getsize(os.path.join(d, f))
    return n, size


def manifest_count(out):
    try:
        with open(os.path.join(out, "staticfiles.json")) as f:
            return len(json.load(f)["paths"])
    except (OSError, ValueError, KeyError):
        return None


class Pair:
    """One tree x mode: the anchor's and collect's runs and results."""

    def __init__(self, label, tree, mode, work, anchor_rounds, cold_rounds, noop_rounds):
        self.label, self.tree, self.mode = label, tree, mode
        self.anchor, self.storage, self.flags, self.t_cold, self.t_noop = MODES[mode]
        self.anchor_rounds = anchor_rounds
        self.cold_rounds, self.noop_rounds = cold_rounds, noop_rounds
        self.work = work
        self.outs = []  # every output directory, removed after all runs
        self.out_a = self.out_o = None
        self.times = {k: [] for k in ("a_cold", "a_noop", "o_cold", "o_noop", "o_warm")}
        self.cache = None   # the default mode's compression cache of this round
        self.out_first = None  # the first cold output, for the byte totals
        self.rss = {"a": 0, "o": 0}
        self.notes = []
        self.floor = None  # (default output, --no-compress output) write floors

    def new_output(self, who, r):
        """A fresh output directory for round r.  Never rm -rf right before
        a timed run: on ext4 without a journal, creating inodes just after
        deleting tens of thousands makes the allocator skip every recently
        deleted one (recently_deleted() in perf), which slows whoever runs
        next by 2-5x."""
        d = os.path.join(self.work, "%s-%s-%s-r%d" % (
            self.label, self.mode, "anchor" if who == "a" else "collect", r))
        self.outs.append(d)
        if who == "a":
            self.out_a = d
        else:
            self.out_o = d
            self.out_first = self.out_first or d
            if self.mode == "default":
                # a cold run is cold for the cache too: one of its own
                self.cache = d + ".cache"
                self.outs.append(self.cache)

    def warm_output(self, r):
        """A fresh output for the default mode's warm run: same cache."""
        self.out_o = os.path.join(self.work, "%s-default-collect-r%d-warm" % (self.label, r))
        self.outs.append(self.out_o)

    def anchor_cmd(self):
        env = dict(os.environ, PYTHONPATH=settings_dir(self.work),
                   DJANGO_SETTINGS_MODULE="django_settings",
                   BENCH_STATIC_ROOT=self.out_a, BENCH_STATIC_DIRS=self.tree,
                   BENCH_STORAGE=self.storage)
        return ["/usr/bin/python3", "-m", "django", "collectstatic",
                "--noinput"], env

    def ours_cmd(self, bindir):
        env = {k: v for k, v in os.environ.items()
               if k not in ("STATIC_ROOT", "STATIC_URL")}
        cache = ["--cache-dir", self.cache] if self.cache else []
        return [os.path.join(bindir, "collect"), "--noinput", "-o", self.out_o]\
            + self.flags + cache + [self.tree], env

    def run(self, who, phase, cmd, env, cwd):
        name = self.anchor if who == "a" else "collect " + (" ".join(self.flags) or "(default)")
        secs, rss, rc, stdout, stderr = run_timed(cmd, env=env, cwd=cwd)
        last = (stdout.strip().splitlines() or [""])[-1]
        log("  %-6s %-8s %-5s %-40s %9s  %6.1f MB  %s" % (
            self.label, self.mode, phase, name[:40], fmt_secs(secs), rss / 1024.0,
            last[:90] if rc == 0 else "FAILED (exit %d)" % rc))
        if rc != 0:
            self.notes.append("%s %s run failed (exit %d): %s" % (
                name, phase, rc, (stderr.strip().splitlines() or [""])[-1][:200]))
            return
        self.times["%s_%s" % (who, phase)].append(secs)
        self.rss[who] = max(self.rss[who], rss)
        if who == "o" and phase == "noop" and not last.startswith("0 "):
            self.notes.append("collect no-op rerun reported: %s" % last[:120])

    def check_counts(self):
        if not self.out_a or not self.out_o:
            return
        a, o = manifest_count(self.out_a), manifest_count(self.out_o)
        if a is not None and o is not None and a != o:
            self.notes.append("manifest entries differ: %s %d, collect %d"
                              % (self.anchor, a, o))


def run_default(p, r, bindir, cwd, have_ours):
    """One round of the default mode: cold (empty output, empty cache),
    then warm (fresh output, the cache the cold run filled), then a no-op
    rerun on the warm output."""
    if not have_ours:
        return
    if r < p.cold_rounds:
        p.new_output("o", r)
        p.run("o", "cold", *p.ours_cmd(bindir), cwd)
        p.warm_output(r)
        p.run("o", "warm", *p.ours_cmd(bindir), cwd)
    if r < p.noop_rounds and p.out_o:
        p.run("o", "noop", *p.ours_cmd(bindir), cwd)


def write_floor(src, dst):
    """Seconds to write src's files again as collect must: `cp -a` (hard
    links kept, so shared variants cost a link) and then one fdatasync per
    file on 32 threads, as collect syncs before its switch.  No hashing, no
    compression, no reading of sources: what any tool that makes these
    files pays, whatever it computes first."""
    t0 = time.monotonic()
    subprocess.run(["cp", "-a", src, dst], check=True)

    def sync(path):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)
    files = [os.path.join(d, f) for d, _, fs in os.walk(dst) for f in fs]
    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        list(ex.map(sync, files))
    return time.monotonic() - t0, len(files)


def measure_floors(pairs, work):
    """For each tree: the write floor of the default output (warm run) and
    of the --no-compress output, interleaved twice; medians in d.floor."""
    by = {(p.label, p.mode): p for p in pairs}
    for label in dict.fromkeys(p.label for p in pairs):
        d, h = by[(label, "default")], by[(label, "hash")]
        if not (d.out_o and h.out_o and os.path.isdir(d.out_o) and os.path.isdir(h.out_o)):
            continue
        times = {"d": [], "h": []}
        for r in range(2):
            for who, src in (("d", d.out_o), ("h", h.out_o)):
                dst = os.path.join(work, "%s-floor-%s-r%d" % (label, who, r))
                (d if who == "d" else h).outs.append(dst)
                secs, n = write_floor(src, dst)
                times[who].append(secs)
                log("  %-6s floor   %-5s %-40s %9s  %d files" % (
                    label, "write", "cp -a + fdatasync of " + ("default" if who == "d"
                                                              else "--no-compress"),
                    fmt_secs(secs), n))
        d.floor = (median(times["d"]), median(times["h"]))


def variant_bytes(out, suffix):
    """Total size of the variants with suffix under out (both names), or None."""
    if not out or not os.path.isdir(out):
        return None
    total = 0
    for d, _, files in os.walk(out):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files if f.endswith(suffix))
    return total


ZHEADERS = ["tree", "measure", "default", "anchor", "value", "goal", "verdict"]


def default_rows(pairs, stats):
    """Issue #11's acceptance figures, from the same run's medians."""
    rows = []
    by = {(p.label, p.mode): p for p in pairs}
    for label in dict.fromkeys(p.label for p in pairs):
        d, h, z = by[(label, "default")], by[(label, "hash")], by[(label, "gzip+br")]
        n, size = stats[label]
        tree = "%s (%d files, %.0f MB)" % (label, n, size / 1e6)
        cold, warm, noop = (median(d.times[k]) for k in ("o_cold", "o_warm", "o_noop"))

        def row(measure, ours, anchor, value, goal, ok):
            rows.append([tree, measure, ours, anchor, value, goal,
                         "n/a" if ok is None else "met" if ok else "MISSED"])

        dj = median(h.times["a_cold"])
        r = cold / dj if cold and dj else None
        row("cold: default / Django Manifest", fmt_secs(cold), fmt_secs(dj),
            fmt_ratio(r), "≤%.1f×" % DEFAULT_VS_DJANGO, r and r <= DEFAULT_VS_DJANGO)
        wn = median(z.times["a_cold"])
        r = wn / cold if cold and wn else None
        row("cold: WhiteNoise / default", fmt_secs(cold), fmt_secs(wn) if wn else "(not run)",
            fmt_ratio(r), "≥%d×" % DEFAULT_VS_WHITENOISE, r and r >= DEFAULT_VS_WHITENOISE)
        for suffix, name, within in ((".br", "brotli-11", BR_WITHIN), (".gz", "zlib-9", GZ_WITHIN)):
            ours, best = variant_bytes(d.out_first, suffix), variant_bytes(z.out_first, suffix)
            pct = (ours / best - 1) * 100 if ours and best else None
            row("%s bytes: default vs %s (collect max)" % (suffix, name),
                "%d" % ours if ours else "n/a", "%d" % best if best else "n/a",
                "%+.2f%%" % pct if pct is not None else "n/a", "≤+%.0f%%" % within,
                None if pct is None else pct <= within)
        nc = median(h.times["o_cold"])
        r = warm / nc if warm and nc else None
        row("cold, warm cache: default / --no-compress cold", fmt_secs(warm), fmt_secs(nc),
            fmt_ratio(r), "≤%.1f×" % WARM_VS_NOCOMPRESS, r and r <= WARM_VS_NOCOMPRESS)
        if d.floor:
            fd, fh = d.floor
            r = fd / fh if fd and fh else None
            row("floor: cp -a + fdatasync, default output / --no-compress output",
                fmt_secs(fd), fmt_secs(fh), fmt_ratio(r), "(the files alone, by cp)", None)
        mx = median(z.times["o_cold"])
        r = mx / cold if mx and cold else None
        row("cold: collect max / default (what auto saves)", fmt_secs(cold), fmt_secs(mx),
            fmt_ratio(r), "", None)
        hn = median(h.times["o_noop"])
        r = noop / hn if noop and hn else None
        row("no-op rerun: default / --no-compress no-op", fmt_secs(noop), fmt_secs(hn),
            fmt_ratio(r), "≈1× (unchanged)", None)
    return rows


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    bindir, work, mdfile = (os.path.abspath(a) for a in sys.argv[1:4])
    trees = [(l, os.path.abspath(t)) for l, t in (a.split("=", 1) for a in sys.argv[4:])]
    rounds = env_int("BENCH_ROUNDS", 3)
    slow = env_int("BENCH_SLOW_ROUNDS", 1)
    zrounds = env_int("BENCH_COMPRESS_ROUNDS", 1)
    gen_wn = env_int("BENCH_GEN_WHITENOISE", 0)
    have_ours = os.access(os.path.join(bindir, "collect"), os.X_OK)
    if not have_ours:
        log("collect: %s/collect missing: anchors only" % bindir)
    # Earlier runs' outputs: out of the way now, deleted after the timings.
    trash = work + ".old"
    if os.path.exists(work):
        shutil.rmtree(trash, ignore_errors=True)
        os.rename(work, trash)
    os.makedirs(work, exist_ok=True)
    cwd = os.path.join(work, "cwd")  # no staticroot.conf here
    os.makedirs(cwd, exist_ok=True)

    pairs, stats = [], {}
    for i, (label, tree) in enumerate(trees):
        stats[label] = tree_stats(tree)
        first = i == 0  # the real tree: the anchors' reference figures
        pairs.append(Pair(label, tree, "hash", work, rounds if first else slow,
                          rounds, rounds))
        wn = slow if (first or gen_wn) else 0
        pairs.append(Pair(label, tree, "gzip+br", work, wn, zrounds, rounds))
        pairs.append(Pair(label, tree, "default", work, 0, rounds, rounds))

    nrounds = max(max(p.anchor_rounds, p.cold_rounds, p.noop_rounds) for p in pairs)
    for r in range(nrounds):
        log("collect: round %d of %d" % (r + 1, nrounds))
        for p in pairs:
            if p.mode == "default":
                run_default(p, r, bindir, cwd, have_ours)
                continue
            a_on = r < p.anchor_rounds
            cold_on = have_ours and r < p.cold_rounds
            # A no-op round without a cold one reruns on the last output.
            noop_on = have_ours and r < p.noop_rounds and (cold_on or p.out_o)
            if a_on:
                p.new_output("a", r)
            if cold_on:
                p.new_output("o", r)
            acmd, aenv = p.anchor_cmd() if a_on else (None, None)
            ocmd, oenv = p.ours_cmd(bindir) if p.out_o else (None, None)
            if a_on:
                p.run("a", "cold", acmd, aenv, cwd)
            if cold_on:
                p.run("o", "cold", ocmd, oenv, cwd)
            if a_on:
                p.run("a", "noop", acmd, aenv, cwd)
            if noop_on:
                p.run("o", "noop", ocmd, oenv, cwd)
            if r == 0:
                p.check_counts()

    if have_ours:
        log("collect: the write floors")
        measure_floors(pairs, work)
    rows, notes, rss_rows = [], [], []
    zrows = default_rows(pairs, stats)
    for p in pairs:
        n, size = stats[p.label]
        if p.mode == "default":
            notes += ["%s, %s: %s" % (p.label, p.mode, x) for x in p.notes]
            continue
        tree = "%s (%d files, %.0f MB)" % (p.label, n, size / 1e6)
        for phase, target in (("cold", p.t_cold), ("noop", p.t_noop)):
            a, o = median(p.times["a_" + phase]), median(p.times["o_" + phase])
            ratio = a / o if a and o else None
            verdict = "n/a" if ratio is None else "met" if ratio >= target else "MISSED"
            case = "%s, %s" % ("cold" if phase == "cold" else "no-op rerun",
                               "hash+rewrite" if p.mode == "hash" else "gzip+br-11")
            rows.append([tree, case, p.anchor if p.anchor_rounds else "(not run)",
                         fmt_secs(a), fmt_secs(o), fmt_ratio(ratio),
                         "≥%d×" % target, verdict,
                         "%d/%d" % (len(p.times["a_" + phase]), len(p.times["o_" + phase]))])
        rss_rows.append([tree, p.mode, "%.0f MB" % (p.rss["a"] / 1024) if p.rss["a"] else "n/a",
                         "%.0f MB" % (p.rss["o"] / 1024) if p.rss["o"] else "n/a"])
        notes += ["%s, %s: %s" % (p.label, p.mode, x) for x in p.notes]

    headers = ["tree", "case", "anchor", "anchor median", "collect median",
               "ratio", "target", "verdict", "runs (anchor/collect)"]
    rss_headers = ["tree", "mode", "anchor peak RSS", "collect peak RSS"]
    last = trees[-1][0]
    peak = max((p.rss["o"] for p in pairs if p.label == last), default=0) / 1024
    rss_line = ("Peak RSS of collect on the %s tree (%d files): %.0f MB (target < %d MB): %s"
                % (last, stats[last][0], peak, RSS_LIMIT_MB,
                   "n/a" if not peak else "met" if peak < RSS_LIMIT_MB else "MISSED"))
    print("\n== collect: medians, ratio = anchor / collect ==")
    print(text_table(headers, rows))
    print()
    print(text_table(rss_headers, rss_rows))
    print(rss_line)
    print("\n== collect: the default (issue #11), same run ==")
    print(text_table(ZHEADERS, zrows))
    for x in notes:
        print("note: " + x)
    with open(mdfile, "w") as f:
        f.write("### collect vs Django collectstatic\n\n")
        f.write("Medians; ratio = anchor time / collect time; cold = empty output "
                "directory, no-op = rerun on unchanged sources.  collect uses "
                "`-j` all cores (%d), Django one.\n\n" % os.cpu_count())
        f.write(md_table(headers, rows) + "\n\n")
        f.write(md_table(rss_headers, rss_rows) + "\n\n")
        f.write("The default run (`collect`, compression level auto, its own empty "
                "compression cache per cold run; warm = the same cache, a fresh "
                "output) against the other modes' runs of the same rounds:\n\n")
        f.write(md_table(ZHEADERS, zrows) + "\n\n")
        f.write(rss_line + "\n")
        for x in notes:
            f.write("\n- note: " + x)
        f.write("\n")
    shutil.rmtree(trash, ignore_errors=True)
    if not env_int("BENCH_KEEP", 0):
        for p in pairs:
            for d in p.outs:
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
