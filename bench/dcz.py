#!/usr/bin/python3
"""dcz.py: `make bench`'s dictionary-transport part (issue 13, RFC 9842).

What a returning visitor downloads after a realistic upgrade, brotli-11
alone (the new file's .br) against the dcz delta from the version in its
cache, and what the deltas cost collect: the run time of the upgrade's
collect and the tree's size, with --dictionary-versions 2 (the default)
against 0.  Scenarios:
  - app: a one-line change to a ~250 KB application bundle (Django admin's
    own JavaScript, from Debian's python3-django);
  - bootstrap 5.3.7 -> 5.3.8 dist (CSS and JS), fetched with npm;
  - jquery 3.6.4 -> 3.7.0 (a minor upgrade), fetched with npm.
Every collect runs with --compress-level max (brotli 11) --no-cache-dir.

    dcz.py BINDIR WORKDIR OUT.md TGZCACHE
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import fmt_secs, log, md_table, median, run_timed, text_table, env_int  # noqa

UPGRADES = [
    ("bootstrap 5.3.7 → 5.3.8", "bootstrap@5.3.7", "bootstrap@5.3.8", "package/dist",
     ["vendor/css/bootstrap.min.css", "vendor/js/bootstrap.bundle.min.js"]),
    ("jquery 3.6.4 → 3.7.0", "jquery@3.6.4", "jquery@3.7.0", "package/dist",
     ["vendor/jquery.min.js"]),
]
FLAGS = ["--noinput", "--compress-level", "max", "--no-cache-dir"]


def npm_tgz(cache, spec):
    """The npm tarball of spec in cache (bench/trees.sh's names), packed once."""
    f = os.path.join(cache, spec.lstrip("@").replace("/", "-") + ".tgz")
    if os.path.exists(f) and os.path.getsize(f):
        return f
    tmp = f + ".pack"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    out = subprocess.run(["npm", "pack", "--silent", spec], cwd=tmp, timeout=300,
                         stdout=subprocess.PIPE, text=True, check=True).stdout.split()[-1]
    os.replace(os.path.join(tmp, out), f)
    shutil.rmtree(tmp, ignore_errors=True)
    return f


def app_bundle(version):
    """~250 KB of real JavaScript; version 2 changes one line in the middle."""
    import django
    js = os.path.join(os.path.dirname(django.__file__), "contrib", "admin", "static", "admin", "js")
    parts = []
    for root, _, files in sorted(os.walk(js)):
        for f in sorted(files):
            if f.endswith(".js") and not f.endswith(".min.js"):
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    parts.append(fh.read())
    text = "\n".join(parts)
    if version == 2:
        lines = text.split("\n")
        mid = len(lines) // 2
        lines[mid] = lines[mid] + " // v2: one changed line"
        text = "\n".join(lines)
    return text


def tree_bytes(root):
    total = 0
    for d, _, files in os.walk(root):
        for f in files:
            total += os.path.getsize(os.path.join(d, f))
    return total


def collect(binp, out, sources, k, cwd):
    return run_timed([binp, "-o", out, "--dictionary-versions", str(k)] + FLAGS + sources, cwd=cwd)


def scenario(binp, work, name, v1, v2, assets):
    """v1 then v2 into fresh outputs with K=2 and K=0; returns a row."""
    row = {"name": name}
    for k in (2, 0):
        out = os.path.join(work, "out-k%d" % k)
        shutil.rmtree(out, ignore_errors=True)
        secs, _, rc, o, e = collect(binp, out, v1(), k, work)
        if rc != 0:
            raise RuntimeError("collect v1 failed: %s %s" % (o, e))
        secs, _, rc, o, e = collect(binp, out, v2(), k, work)
        if rc != 0:
            raise RuntimeError("collect v2 failed: %s %s" % (o, e))
        row["secs%d" % k] = secs
        row["tree%d" % k] = tree_bytes(out)
        if k == 2:
            import json
            with open(os.path.join(out, "staticfiles.json")) as f:
                paths = json.load(f)["paths"]
            br = delta = 0
            for a in assets:
                h = paths[a]
                br += os.path.getsize(os.path.join(out, h + ".br"))
                d = os.path.dirname(os.path.join(out, h))
                sizes = [os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                         if f.startswith(os.path.basename(h) + ".") and f.endswith(".dcz")]
                # the visitor holds the version just before: its delta is the
                # only one after a single upgrade
                delta += min(sizes) if sizes else os.path.getsize(os.path.join(out, h + ".br"))
            row["br"], row["dcz"] = br, delta
    return row


def main():
    binp = os.path.join(os.path.abspath(sys.argv[1]), "collect")
    work, md, cache = sys.argv[2], sys.argv[3], sys.argv[4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.makedirs(cache, exist_ok=True)
    rows = []
    app = os.path.join(work, "app")

    def app_v(v):
        def f():
            os.makedirs(os.path.join(app, "js"), exist_ok=True)
            with open(os.path.join(app, "js", "app.js"), "w") as fh:
                fh.write(app_bundle(v))
            return [app]
        return f
    log("dcz: app bundle, one-line change")
    rows.append(scenario(binp, work, "app bundle (%d KB), one line changed" %
                         (len(app_bundle(1)) // 1024), app_v(1), app_v(2), ["js/app.js"]))
    for name, s1, s2, sub, assets in UPGRADES:
        log("dcz: " + name)
        t1, t2 = npm_tgz(cache, s1), npm_tgz(cache, s2)
        rows.append(scenario(binp, work, name, lambda t=t1: ["vendor=%s:%s" % (t, sub)],
                             lambda t=t2: ["vendor=%s:%s" % (t, sub)], assets))
    headers = ["upgrade", "brotli-11 alone", "with dcz", "fewer bytes",
               "collect (K=0 → K=2)", "tree (K=0 → K=2)"]
    table = []
    for r in rows:
        table.append([r["name"], "%d B" % r["br"], "%d B" % r["dcz"],
                      "%.1f%%" % (100.0 * (1 - r["dcz"] / r["br"])),
                      "%s → %s (+%.0f%%)" % (fmt_secs(r["secs0"]), fmt_secs(r["secs2"]),
                                            100.0 * (r["secs2"] / r["secs0"] - 1)),
                      "%.2f → %.2f MB (+%.1f%%)" % (r["tree0"] / 1e6, r["tree2"] / 1e6,
                                                   100.0 * (r["tree2"] / r["tree0"] - 1))])
    tot_br = sum(r["br"] for r in rows)
    tot_dcz = sum(r["dcz"] for r in rows)
    print(text_table(headers, table))
    print("all three: %d B -> %d B, %.1f%% fewer (goal: at least 80%%)" %
          (tot_br, tot_dcz, 100.0 * (1 - tot_dcz / tot_br)))
    with open(md, "w") as f:
        f.write("### Dictionary transport (dcz) for returning visitors\n\n")
        f.write("Bytes of the page's changed assets after one upgrade; collect time of the "
                "upgrade's run and tree size, `--dictionary-versions 0` against the default 2 "
                "(`--compress-level max --no-cache-dir`, one round).\n\n")
        f.write(md_table(headers, table) + "\n\n")
        f.write("All three: %d B → %d B, %.1f%% fewer (goal: at least 80%%).\n" %
                (tot_br, tot_dcz, 100.0 * (1 - tot_dcz / tot_br)))
    return 0 if tot_dcz <= tot_br * 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())
