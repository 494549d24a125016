"""s3.py: the s3 part of `make bench`: collect --upload against the tools
Django sites publish static files to S3 with, on one local Ceph radosgw.

    /usr/bin/python3 bench/s3.py BINDIR WORKDIR OUT.md TREE

Tools, each in its own bucket: `collect --upload`; django-storages'
S3ManifestStaticStorage collectstatic; a local tree (collect, no upload:
the same Django-format tree as collectstatic, so their figures leave out
Django's own collect time and flatter them) then `aws s3 sync`, or
`rclone sync --checksum`.  Scenarios: cold (empty bucket), rerun (nothing
changed), one change (one image's bytes), CI-style (a fresh local collect
of the same sources into a new directory, then the upload).  PUTs are
counted from radosgw's own access log.

Two figures per cell, measured the same way for every tool: the total
(local collect + upload; for collect --upload one process, for aws and
rclone `collect` then the sync, for django-storages its collectstatic,
which does both at once) and the upload alone (collect --upload's own
figure from its summary line; the sync command's wall time; none for
django-storages).  The same bin/collect makes every local tree, so the
totals differ only by the upload; the upload-alone figures compare the
tools without the collect's own cost (compression, hashing, fsync), which
no upload tool can change.  The floor: rclone copy with 32 parallel
transfers of the same tree into an empty bucket, the gateway's ingest
rate as a well-known client reaches it.  Standard library + boto3 (for
bucket creation only).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "s3"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from benchlib import fmt_secs, fmt_ratio, log, md_table, text_table  # noqa: E402
import s3test  # noqa: E402

SETTINGS = '''
import os
SECRET_KEY = "bench-only"
INSTALLED_APPS = ["django.contrib.staticfiles", "storages"]
STATIC_URL = "/static/"
STATICFILES_DIRS = [os.environ["BENCH_SRC"]]
STATICFILES_STORAGE = "storages.backends.s3boto3.S3ManifestStaticStorage"
AWS_STORAGE_BUCKET_NAME = os.environ["BENCH_BUCKET"]
AWS_S3_ENDPOINT_URL = os.environ["AWS_ENDPOINT_URL"]
AWS_S3_REGION_NAME = "us-east-1"
AWS_S3_ADDRESSING_STYLE = "path"
AWS_LOCATION = "static"
'''


def need(cmd, pkg):
    """Debian's cmd (/usr/bin/cmd), installed from pkg when missing: the
    anchor the figures name, not whatever else PATH holds (a pip awscli 1.x
    under pyenv was found first on one machine)."""
    path = os.path.join("/usr/bin", cmd)
    if not os.path.exists(path):
        subprocess.run(["apt-get", "install", "-y", "-q", pkg], capture_output=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), timeout=900)
    return os.path.exists(path)


RCLONE_EXCLUDE = ["--exclude", "/.staticroot-*", "--exclude", "/.staticroot-*/**"]
UPLOAD_SECS = re.compile(r"PUTs?\) in ([0-9.]+) s")


def versions():
    """The anchors' own words for their versions, for the results."""
    def first_line(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return (p.stdout or p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "%s: not run" % cmd[0]
    return "; ".join([
        first_line(["/usr/bin/aws", "--version"]),
        first_line(["/usr/bin/rclone", "version"]),
        first_line(["/usr/bin/python3", "-c", "import storages, boto3; print("
                    "'django-storages', storages.__version__, 'boto3', boto3.__version__)"]),
        first_line(["/usr/bin/radosgw", "--version"])])


def timed(cmd, env, cwd=None):
    """(wall seconds, exit status, seconds the upload itself took when
    collect printed them, else None)."""
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=3600,
                       stdin=subprocess.DEVNULL)
    secs = time.monotonic() - t0
    if r.returncode != 0:
        log("bench s3: %s failed (%d): %s" % (cmd[:3], r.returncode, r.stderr[-800:]))
    m = UPLOAD_SECS.search(r.stdout + r.stderr)
    return secs, r.returncode, float(m.group(1)) if m else None


def count_objects(tree):
    """Files of a collected tree that are published (not collect's .staticroot-*)."""
    n = 0
    for d, dirs, files in os.walk(tree):
        if d == tree:
            dirs[:] = [x for x in dirs if not x.startswith(".staticroot-")]
            files = [x for x in files if not x.startswith(".staticroot-")]
        n += len(files)
    return n


def change_one_image(src):
    """Rewrites one PNG (or any image) of the tree with other bytes."""
    for d, _, files in sorted(os.walk(src)):
        for f in sorted(files):
            if f.endswith(".png"):
                p = os.path.join(d, f)
                with open(p, "ab") as fh:
                    fh.write(struct.pack(">I", 0) + b"IEND" + struct.pack(
                        ">I", zlib.crc32(b"IEND") & 0xffffffff))
                return os.path.relpath(p, src)
    raise RuntimeError("no .png in the tree")


def main():
    bindir, work, out_md, tree = sys.argv[1:5]
    collect = os.path.join(os.path.abspath(bindir), "collect")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, "src")
    shutil.copytree(tree, src, symlinks=False)
    for cmd, pkg in (("aws", "awscli"), ("rclone", "rclone")):
        if not need(cmd, pkg):
            log("bench s3: %s missing" % cmd)
    aws = "/usr/bin/aws"
    rgw = s3test.Rgw()
    env = rgw.client_env()
    with open(os.path.join(work, "s3_settings.py"), "w") as f:
        f.write(SETTINGS)
    rconf = os.path.join(work, "rclone.conf")
    with open(rconf, "w") as f:
        f.write("[rgw]\ntype = s3\nprovider = Ceph\nenv_auth = true\nendpoint = %s\n"
                "region = us-east-1\n" % rgw.endpoint)
    renv = dict(env, RCLONE_CONFIG=rconf)
    renv.pop("AWS_CA_BUNDLE", None)  # rclone 1.60 refuses to start with it set

    def puts(mark):
        return sum(1 for m, p, s in rgw.requests(mark) if m == "PUT")

    def tool(name):
        bucket = re.sub(r"[^a-z0-9]", "", name.lower())
        rgw.s3.create_bucket(Bucket=bucket)
        state = {"n": 0}

        def local(dest):
            return timed([collect, "--noinput", "-v", "0", "-o", dest, src], env)[0]

        def run(scenario):
            state["n"] += 1
            fresh = scenario in ("cold", "ci")
            out = os.path.join(work, "%s-%d" % (bucket, state["n"] if fresh else 1))
            if name == "collect --upload":
                # -v 1: the summary line says how long the upload took.
                cmd = [collect, "--noinput", "-v", "1", "-o", out, "--upload",
                       "s3://%s/static" % bucket, src]
                return cmd, env, 0.0
            if name.startswith("django-storages"):
                e = dict(env, DJANGO_SETTINGS_MODULE="s3_settings", PYTHONPATH=work,
                         BENCH_SRC=src, BENCH_BUCKET=bucket)
                return (["/usr/bin/python3", "-m", "django", "collectstatic", "--noinput",
                         "-v", "0"], e, 0.0)
            t_local = local(out)
            # collect's own bookkeeping (.staticroot-*) stays out of their
            # buckets, as collect --upload keeps it out of its own.
            if name.startswith("aws"):
                return ([aws, "--endpoint-url", rgw.endpoint, "s3", "sync", "--only-show-errors",
                         "--exclude", ".staticroot-*", out, "s3://%s/static" % bucket],
                        env, t_local)
            return (["/usr/bin/rclone", "sync", "--checksum", "--transfers", "16"] + RCLONE_EXCLUDE +
                    [out, "rgw:%s/static" % bucket], renv, t_local)
        return run
    tools = ["collect --upload", "django-storages S3ManifestStaticStorage",
             "aws s3 sync", "rclone sync --checksum"]
    scenarios = ["cold", "rerun", "one change", "CI-style"]
    results = {}
    changed = None
    for name in tools:
        run = tool(name)
        results[name] = {}
        for sc in scenarios:
            if sc == "one change":
                changed = change_one_image(src)
            cmd, e, t_local = run({"cold": "cold", "CI-style": "ci"}.get(sc, sc))
            mark = rgw.mark()
            secs, rc, own = timed(cmd, e)
            if name.startswith("django-storages"):
                alone = None  # one process collects and uploads at once
            elif own is not None:
                alone = own
            else:
                alone = secs
            results[name][sc] = (secs + t_local, alone, puts(mark), rc)
            log("bench s3: %-40s %-10s %s (upload alone %s), %d PUTs%s" % (
                name, sc, fmt_secs(secs + t_local), fmt_secs(alone) if alone is not None
                else "-", results[name][sc][2], "" if rc == 0 else " FAILED"))
        # Undo the change so every tool starts from the same tree.
        shutil.rmtree(src)
        shutil.copytree(tree, src, symlinks=False)
    # The floor: the gateway's own ingest rate, 32 parallel transfers.
    rgw.s3.create_bucket(Bucket="floor")
    floor_tree = os.path.join(work, "collectupload-1")
    mark = rgw.mark()
    floor, _, _ = timed(["/usr/bin/rclone", "copy", "--transfers", "32", "--checkers", "32"] +
                        RCLONE_EXCLUDE + [floor_tree, "rgw:floor/static"], renv)
    floor_puts = puts(mark)
    rgw.down()

    headers = ["tool"] + ["%s: total (upload alone), PUTs" % s for s in scenarios]
    rows = []

    def cell(r):
        return "%s (%s), %d%s" % (fmt_secs(r[0]), fmt_secs(r[1]) if r[1] is not None else "-",
                                  r[2], "" if r[3] == 0 else " (failed)")
    for name in tools:
        rows.append([name] + [cell(results[name][s]) for s in scenarios])
    rows.append(["floor: rclone copy, 32 transfers", "(%s), %d" % (fmt_secs(floor), floor_puts),
                 "", "", ""])
    ours = results[tools[0]]

    def fastest(i):
        vals = [results[t]["cold"][i] for t in tools[1:]
                if results[t]["cold"][3] == 0 and results[t]["cold"][i] is not None]
        return min(vals) if vals else None
    ratio = fastest(0) / ours["cold"][0] if fastest(0) else None
    ratio_alone = fastest(1) / ours["cold"][1] if fastest(1) and ours["cold"][1] else None
    ratio_floor = floor / ours["cold"][1] if ours["cold"][1] else None
    goals = [
        ("cold ≥ 2× faster than the fastest other tool (totals)", fmt_ratio(ratio),
         ratio is not None and ratio >= 2),
        ("cold, upload alone ≥ 2× faster than the fastest other sync", fmt_ratio(ratio_alone),
         ratio_alone is not None and ratio_alone >= 2),
        ("cold, upload alone against the floor (rclone, 32 transfers)", fmt_ratio(ratio_floor),
         ratio_floor is not None and ratio_floor >= 1),
    ]
    for sc in ("rerun", "one change", "CI-style"):
        r = ours[sc]
        goals.append(("%s ≤ 1 s (total, local collect included)" % sc, fmt_secs(r[0]),
                      r[0] <= 1.0))
        goals.append(("%s ≤ 1 s (upload alone)" % sc,
                      fmt_secs(r[1]) if r[1] is not None else "-",
                      r[1] is not None and r[1] <= 1.0))
    nfiles = sum(len(f) for _, _, f in os.walk(tree))
    nobjects = count_objects(floor_tree)
    text = text_table(headers, rows)
    print("\n" + text + "\n")
    for g in goals:
        print("goal: %-50s %-10s %s" % (g[0], g[1], "met" if g[2] else "MISSED"))
    with open(out_md, "w") as f:
        f.write("### collect --upload vs the S3 tools (one local radosgw)\n\n")
        f.write("Tree: %s (%d source files, %d objects once collected); one change: %s.  "
                "Each cell: the total (local collect + upload: collect --upload in one "
                "process; bin/collect, not Django's, then the sync for aws and rclone; "
                "django-storages' collectstatic), in brackets the upload alone "
                "(collect --upload's own figure, the sync's wall time), then the PUTs "
                "the gateway logged.  Load average at the end: %s.  Versions: %s.\n\n"
                % (tree, nfiles, nobjects, changed, open("/proc/loadavg").read().split()[0],
                   versions()))
        f.write(md_table(headers, rows) + "\n\n")
        f.write(md_table(["goal", "measured", "met"],
                         [[g[0], g[1], "yes" if g[2] else "**no**"] for g in goals]) + "\n")


if __name__ == "__main__":
    main()
