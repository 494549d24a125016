"""django.py: the `django` part of `make bench`: what `collect --django`
costs (one Python start and django.setup()) on the multi-app project the
tests build (admin, DRF, debug-toolbar, compressor, a project app, a custom
finder), beside the same collect with the sources named by hand, the
staticroot app's `manage.py collectstatic`, and Django's own collectstatic.
All are no-op reruns (the tree is already collected): the fixed cost a
deploy pays every time.  Each row gives the median wall time and the median
CPU time (user + sys of the whole process tree), which a loaded machine
inflates much less.

    /usr/bin/python3 bench/django.py BINDIR WORKDIR OUT.md
"""
import json
import os
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
sys.dont_write_bytecode = True
from benchlib import env_int, log, run_timed, median, fmt_secs, fmt_ratio, md_table, text_table  # noqa: E402
import django_project  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PY = "/usr/bin/python3"


def main(bindir, work, out_md):
    rounds = max(1, env_int("BENCH_ROUNDS", 3))
    collect = os.path.abspath(os.path.join(bindir, "collect"))
    work = os.path.abspath(work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    proj = django_project.make_project(work)
    env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "python"), STATICROOT_COLLECT=collect,
               DJANGO_SETTINGS_MODULE="proj.settings", PYTHONDONTWRITEBYTECODE="1")
    env.pop("STATIC_ROOT", None)
    ours, ref = os.path.join(work, "ours"), os.path.join(work, "ref")
    helper = [PY, os.path.join(TOP, "python", "staticroot", "django_sources.py"),
              "--settings", "proj.settings", "--project", proj]
    r = subprocess.run(helper, env=env, cwd=proj, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        log("bench django: the helper failed: " + r.stderr[-2000:])
        return 1
    doc = r.stdout
    # The same sources by hand, from the helper's own answer.
    hand = [collect, "--noinput", "-o", ours]
    for f in json.loads(doc)["finders"]:
        for loc in f.get("locations", []):
            if os.path.isdir(loc["path"]):
                hand.append(("%s=%s" % (loc["prefix"], loc["path"])) if loc["prefix"]
                            else loc["path"])
    hand.append("gen=" + os.path.join(proj, "generated"))
    runs = [
        ("Python + django.setup() alone (the helper)", helper, {}),
        ("collect --django", [collect, "--noinput", "--django", "--python", PY], {}),
        ("collect, the same sources by hand", hand, {}),
        ("manage.py collectstatic (staticroot app)",
         [PY, "manage.py", "collectstatic", "--noinput"], {}),
        ("Django's own collectstatic", [PY, "manage.py", "collectstatic", "--noinput"],
         {"PROJ_REFERENCE": "1", "PROJ_STATIC_ROOT": ref}),
    ]
    times, cpus = {}, {}
    for label, cmd, extra in runs:
        e = dict(env, PROJ_STATIC_ROOT=ours)
        e.update(extra)
        run_timed(cmd, env=e, cwd=proj)  # the first run collects; not timed
        got, cpu = [], []
        for _ in range(rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            secs, _, rc, _, err = run_timed(cmd, env=e, cwd=proj)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if rc != 0:
                log("bench django: %s failed: %s" % (label, err))
                return 1
            got.append(secs)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        times[label], cpus[label] = median(got), median(cpu)
        log("bench django: %s: %s (CPU %s)" % (label, fmt_secs(times[label]),
                                               fmt_secs(cpus[label])))
    base = times["collect, the same sources by hand"]
    rows = [[label, fmt_secs(t), fmt_secs(cpus[label]), fmt_ratio(t / base) if base else "n/a"]
            for label, t in times.items()]
    cost = times["collect --django"] - base
    own = times["Django's own collectstatic"]
    app = cpus["manage.py collectstatic (staticroot app)"]
    text = ("no-op rerun on the test project, median of %d (load average %.1f); "
            "--django costs %s over the hand-written sources; Django's own "
            "collectstatic takes %s the time of collect --django; in CPU time "
            "manage.py collectstatic through the app (one Python start) takes %s "
            "of Django's own" % (rounds, os.getloadavg()[0], fmt_secs(cost),
                                 fmt_ratio(own / times["collect --django"]),
                                 fmt_ratio(app / cpus["Django's own collectstatic"])))
    headers = ["run", "median", "CPU", "vs by hand"]
    print(text_table(headers, rows))
    print(text)
    with open(out_md, "w") as f:
        f.write("### collect --django: the cost of asking Django\n\n%s\n\n%s\n"
                % (md_table(headers, rows), text))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
