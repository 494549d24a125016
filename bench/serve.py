#!/usr/bin/python3
"""serve.py: part B of `make bench`: bin/serve against nginx, lighttpd and h2o.

usage: serve.py BINDIR WORKDIR MDFILE

Collects a small tree (a 1 KB stylesheet, a 100 KB script, a 1 MB image)
with bin/collect, serves that same output with every server on 127.0.0.1,
each with one worker pinned to core 0 (taskset -c 0), and loads each with
wrk pinned to core 1, interleaved over rounds (server order rotated every
round).  Cases: the 1 KB, 100 KB and 1 MB files (200), a revalidation of
the hashed 1 KB file with each server's own ETag (304), a missing file
(404), and the 1 KB file with the access log on (serve against nginx).
Prints median req/s and p99 latency per case and server with the ratio to
nginx, and writes them as markdown to MDFILE.  Every server started is
killed on exit, whatever happens.

Environment:
  BENCH_SERVE_ROUNDS=3   rounds
  BENCH_WRK_SECONDS=4    seconds per wrk run
  BENCH_WRK_CONNS=32     wrk connections (one wrk thread)
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import env_int, log, md_table, median, text_table

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_CPU, CLIENT_CPU = "0", "1"
FILES = {  # case -> source path, size
    "1 KB": ("css/small.css", 1024),
    "100 KB": ("js/medium.js", 100 * 1024),
    "1 MB": ("img/large.jpg", 1024 * 1024),
}
# case -> (minimum req/s ratio to nginx, p99 must not exceed nginx's)
TARGETS = {"1 KB": (1.5, False), "100 KB": (1.0, True), "1 MB": (1.0, True),
           "304": (1.5, False), "404": (1.5, False), "1 KB, access log on": (1.5, False)}

children = []


def kill_children():
    for p in children:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def on_signal(sig, _frame):
    kill_children()
    sys.exit(128 + sig)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_sources(src):
    """Deterministic inputs: text that compresses, an incompressible image."""
    shutil.rmtree(src, ignore_errors=True)
    css = ".btn-primary { color: #fff; background-color: #0d6efd; }\n" * 30
    js = "".join("function f%d(a) { return a * %d; }\n" % (i, i) for i in range(4000))
    data = {
        "css/small.css": (css[:1023] + "\n").encode(),
        "js/medium.js": (js[:100 * 1024 - 1] + "\n").encode(),
        # Fixed bytes, not os.urandom: every run serves the same file.
        "img/large.jpg": b"\xff\xd8\xff\xe0" + bytes(
            (i * 2654435761 >> 13) & 0xff for i in range(1024 * 1024 - 4)),
    }
    for rel, body in data.items():
        path = os.path.join(src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
    for case, (rel, size) in FILES.items():
        assert os.path.getsize(os.path.join(src, rel)) == size, (rel, size)


def collect_tree(bindir, src, out):
    shutil.rmtree(out, ignore_errors=True)
    collect = os.path.join(bindir, "collect")
    if os.access(collect, os.X_OK):
        cmd = [collect, "--noinput", "-v", "0", "-o", out, src]
        env = {k: v for k, v in os.environ.items() if k != "STATIC_ROOT"}
        note = "tree collected by bin/collect"
    else:  # development only: the harness before bin/collect existed
        cmd = ["/usr/bin/python3", "-m", "django", "collectstatic", "--noinput", "-v", "0"]
        env = dict(os.environ, PYTHONPATH=HERE, DJANGO_SETTINGS_MODULE="django_settings",
                   BENCH_STATIC_ROOT=out, BENCH_STATIC_DIRS=src)
        note = "bin/collect missing: tree collected by Django's collectstatic"
    subprocess.run(cmd, env=env, check=True, cwd=os.path.dirname(out))
    with open(os.path.join(out, "staticfiles.json")) as f:
        hashed = json.load(f)["paths"][FILES["1 KB"][0]]
    return hashed, note


# ---- server configurations: each returns (argv, needs root user line) ----

MIME = {"css": "text/css", "js": "text/javascript", "jpg": "image/jpeg",
        "json": "application/json", "gz": "application/gzip", "br": "application/octet-stream"}


def nginx_conf(tmp, root, port, access_log):
    user = "user root;\n" if os.geteuid() == 0 else ""
    types = "".join("    %s %s;\n" % (t, e) for e, t in MIME.items())
    log_line = ("access_log %s/nginx-access.log combined;" % tmp) if access_log else "access_log off;"
    conf = """%sworker_processes 1;
daemon off;
pid %s/nginx.pid;
error_log %s/nginx-error.log warn;
events { worker_connections 4096; }
http {
  types {
%s  }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=10000 inactive=60s;
  open_file_cache_valid 60s;
  open_file_cache_errors on;
  log_not_found off;
  keepalive_requests 1000000;
  %s
  client_body_temp_path %s/body;
  proxy_temp_path %s/proxy;
  fastcgi_temp_path %s/fastcgi;
  server {
    listen 127.0.0.1:%d;
    server_name localhost;
    location /static/ { alias %s/; }
  }
}
""" % (user, tmp, tmp, types, log_line, tmp, tmp, tmp, port, root)
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return ["nginx", "-p", tmp, "-e", tmp + "/nginx-error.log", "-c", path]


def lighttpd_conf(tmp, root, port, access_log):
    types = ", ".join('".%s" => "%s"' % (e, t) for e, t in MIME.items())
    conf = """server.modules = ( "mod_alias" )
server.document-root = "%s"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "%s/lighttpd-error.log"
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 60
server.max-worker = 0
server.max-connections = 4096
server.max-fds = 16384
server.network-backend = "sendfile"
alias.url = ( "/static/" => "%s/" )
mimetype.assign = ( %s )
""" % (root, port, tmp, root, types)
    path = os.path.join(tmp, "lighttpd.conf")
    with open(path, "w") as f:
        f.write(conf)
    return ["lighttpd", "-D", "-f", path]


def h2o_conf(tmp, root, port, access_log):
    user = "user: root\n" if os.geteuid() == 0 else ""
    conf = """%slisten:
  host: 127.0.0.1
  port: %d
num-threads: 1
max-connections: 4096
pid-file: %s/h2o.pid
error-log: %s/h2o-error.log
hosts:
  default:
    paths:
      /static:
        file.dir: %s
""" % (user, port, tmp, tmp, root)
    path = os.path.join(tmp, "h2o.conf")
    with open(path, "w") as f:
        f.write(conf)
    return ["h2o", "-c", path]


def serve_argv(bindir):
    def conf(tmp, root, port, access_log):
        return [os.path.join(bindir, "serve"), "--root", root, "--alias", "/static/",
                "--listen", "127.0.0.1:%d" % port, "--workers", "1",
                "--access-log", os.path.join(tmp, "serve-access.log") if access_log else "off"]
    return conf


def start(name, argv, port, tmp):
    logf = open(os.path.join(tmp, name + ".out"), "w")
    p = subprocess.Popen(["taskset", "-c", SERVER_CPU] + argv, stdout=logf,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         cwd=tmp, start_new_session=True)
    children.append(p)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if p.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    logf.flush()
    with open(os.path.join(tmp, name + ".out")) as f:
        out = f.read()[-500:]
    log("serve: %s did not start: %s" % (name, out.strip()))
    return None


def http_get(url, headers=None):
    """(status, headers dict) of a GET, or (None, {}) when it fails."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)
    except OSError:
        return None, {}


def core_ticks(cpu):
    """(busy, total) clock ticks of one core from /proc/stat: busy counts
    user, nice, system, irq and softirq (the kernel's network work for a
    socket runs there), not idle, iowait or steal."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%s " % cpu):
                v = [int(x) for x in line.split()[1:9]]
                return v[0] + v[1] + v[2] + v[5] + v[6], sum(v)
    return 0, 0


def wrk(url, seconds, conns, script):
    """(req/s, p99 ms, errors, server-core us/request, client-core busy
    fraction), or (None, None, why, None, None)."""
    cmd = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", "-c%d" % conns,
           "-d%ds" % seconds, "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", script]
    s0, c0 = core_ticks(SERVER_CPU), core_ticks(CLIENT_CPU)
    try:
        out = subprocess.run(cmd + [url], capture_output=True, text=True,
                             timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        return None, None, "wrk timed out", None, None
    s1, c1 = core_ticks(SERVER_CPU), core_ticks(CLIENT_CPU)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    errs = re.search(r"Socket errors: (.*)", out)
    if not rps or not p99 or not total:
        return None, None, "no wrk figures: " + out[-200:], None, None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    hz = os.sysconf("SC_CLK_TCK")
    n = int(total.group(1))
    us_req = (s1[0] - s0[0]) * 1e6 / hz / n if n else None
    client_busy = (c1[0] - c0[0]) / (c1[1] - c0[1]) if c1[1] > c0[1] else None
    return (float(rps.group(1)), float(p99.group(1)) * scale,
            errs.group(1) if errs else "", us_req, client_busy)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    bindir, work, mdfile = (os.path.abspath(a) for a in sys.argv[1:4])
    rounds = env_int("BENCH_SERVE_ROUNDS", 3)
    secs = env_int("BENCH_WRK_SECONDS", 4)
    conns = env_int("BENCH_WRK_CONNS", 32)
    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    shutil.rmtree(work, ignore_errors=True)
    tmp = os.path.join(work, "run")
    os.makedirs(tmp)
    src, root = os.path.join(work, "src"), os.path.join(work, "static")
    make_sources(src)
    hashed, tree_note = collect_tree(bindir, src, root)
    notes = [tree_note]

    servers = [("serve", serve_argv(bindir), False), ("nginx", nginx_conf, False),
               ("lighttpd", lighttpd_conf, False), ("h2o", h2o_conf, False),
               ("serve+log", serve_argv(bindir), True), ("nginx+log", nginx_conf, True)]
    have_serve = os.access(os.path.join(bindir, "serve"), os.X_OK)
    urls, scripts = {}, {}
    for name, conf, alog in servers:
        if name.startswith("serve") and not have_serve:
            notes.append("%s/serve missing: serve not measured" % bindir)
            continue
        port = free_port()
        d = os.path.join(tmp, name)
        os.makedirs(d)
        if not start(name, conf(d, root, port, alog), port, d):
            notes.append("%s did not start (see %s)" % (name, d))
            continue
        base = "http://127.0.0.1:%d/static/" % port
        cases = {c: base + rel for c, (rel, _) in FILES.items()}
        cases["304"] = base + hashed
        cases["404"] = base + "css/missing.css"
        if alog:
            cases = {"1 KB, access log on": cases["1 KB"]}
        st, hd = http_get(cases.get("304", base + hashed))
        etag = {k.lower(): v for k, v in hd.items()}.get("etag")
        # Check each case answers as it should before measuring it.
        for c, url in list(cases.items()):
            want = {"304": 304, "404": 404}.get(c, 200)
            hdrs = {}
            if c == "304":
                if not etag:
                    notes.append("%s: no ETag on %s: 304 case skipped" % (name, hashed))
                    del cases[c]
                    continue
                script = os.path.join(d, "inm.lua")
                with open(script, "w") as f:
                    f.write('wrk.headers["If-None-Match"] = %s\n' % json.dumps(etag))
                scripts[(name, c)] = script
                hdrs = {"If-None-Match": etag}
            got, h = http_get(url, hdrs)
            size = {k.lower(): v for k, v in h.items()}.get("content-length")
            if got != want or (want == 200 and size != str(FILES[c.split(",")[0]][1])):
                notes.append("%s: %s answered %s (length %s), expected %d: case dropped"
                             % (name, c, got, size, want))
                del cases[c]
        urls[name] = cases
        wrk(cases.get("1 KB") or cases.get("1 KB, access log on"), 1, conns, None)  # warm-up

    case_order = ["1 KB", "100 KB", "1 MB", "304", "404", "1 KB, access log on"]
    res = {}  # (case, server) -> [(rps, p99)]
    names = list(urls)
    for r in range(rounds):
        log("serve: round %d of %d" % (r + 1, rounds))
        order = names[r % len(names):] + names[:r % len(names)] if names else []
        for c in case_order:
            for name in order:
                url = urls[name].get(c)
                if not url:
                    continue
                rps, p99, err, us, busy = wrk(url, secs, conns, scripts.get((name, c)))
                log("  %-20s %-10s %10s req/s  p99 %8s ms  %6s us/req  client %4s  %s" % (
                    c, name, "%.0f" % rps if rps else "-", "%.2f" % p99 if p99 else "-",
                    "%.2f" % us if us else "-", "%.0f%%" % (100 * busy) if busy else "-", err))
                if rps is None:
                    notes.append("%s %s round %d: %s" % (name, c, r + 1, err))
                    continue
                if err and not re.fullmatch(r"connect 0, read 0, write 0, timeout 0", err):
                    notes.append("%s %s round %d: socket errors: %s" % (name, c, r + 1, err))
                res.setdefault((c, name), []).append((rps, p99, us, busy))
    kill_children()

    headers = ["case", "server", "req/s", "p99", "req/s vs nginx", "p99 vs nginx",
               "core-%s µs/req" % SERVER_CPU, "capacity vs nginx", "wrk core busy",
               "target (serve)", "verdict"]
    rows = []
    client_bound = []
    for c in case_order:
        ref = "nginx+log" if "access log" in c else "nginx"
        ref_rps = median([x[0] for x in res.get((c, ref), [])])
        ref_p99 = median([x[1] for x in res.get((c, ref), [])])
        ref_us = median([x[2] for x in res.get((c, ref), []) if x[2]])
        for name in names:
            if (c, name) not in res:
                continue
            rps = median([x[0] for x in res[(c, name)]])
            p99 = median([x[1] for x in res[(c, name)]])
            us = median([x[2] for x in res[(c, name)] if x[2]])
            busy = median([x[3] for x in res[(c, name)] if x[3]])
            ratio = rps / ref_rps if ref_rps else None
            pr = p99 / ref_p99 if ref_p99 else None
            cap = ref_us / us if ref_us and us else None
            target = verdict = ""
            if name.startswith("serve"):
                t, p99_too = TARGETS[c]
                target = "≥%.1f× req/s%s" % (t, ", p99 ≤ nginx" if p99_too else "")
                if ratio is not None:
                    ok = ratio >= t and (not p99_too or (pr is not None and pr <= 1.0))
                    verdict = "met" if ok else "MISSED"
                if busy and busy >= 0.95:
                    client_bound.append("%s (wrk's core %.0f%% busy)" % (c, 100 * busy))
            rows.append([c, name, "%.0f" % rps, "%.2f ms" % p99,
                         "%.2f×" % ratio if ratio else "n/a",
                         "%.2f×" % pr if pr else "n/a",
                         "%.2f" % us if us else "n/a",
                         "%.2f×" % cap if cap else "n/a",
                         "%.0f%%" % (100 * busy) if busy else "n/a", target, verdict])
    if client_bound:
        notes.append("wrk, not the server, set the pace for serve in: %s.  There req/s "
                      "cannot show a faster server; core-%s µs/req (the server core's busy "
                      "time per request, kernel network work included) and its ratio, "
                      "'capacity vs nginx', can" % ("; ".join(client_bound), SERVER_CPU))

    print("\n== serve: medians over %d rounds, wrk -t1 -c%d -d%ds, server on core %s, "
          "wrk on core %s ==" % (rounds, conns, secs, SERVER_CPU, CLIENT_CPU))
    print(text_table(headers, rows))
    notes = list(dict.fromkeys(notes))
    for x in notes:
        print("note: " + x)
    with open(mdfile, "w") as f:
        f.write("### serve vs nginx, lighttpd, h2o\n\n")
        f.write("Medians over %d interleaved rounds; `wrk -t1 -c%d -d%ds --latency` "
                "pinned to core %s, each server with one worker pinned to core %s, "
                "127.0.0.1, keep-alive.  nginx: sendfile, open_file_cache, "
                "access_log off (`+log`: combined log to a file); ratios are to nginx "
                "(to nginx+log for the access-log case).  nginx runs Debian's "
                "default `sendfile on; tcp_nopush on;`: tcp_nopush is what puts its "
                "100 KB p99 near 40 ms (in a separate check without it: 6-8 ms at a similar rate, but "
                "about 20%% fewer 1 KB requests/s).  `core-%s µs/req` is the "
                "server core's busy time (user, system, irq and softirq from "
                "/proc/stat) divided by the requests served: what one request costs "
                "the server's core whatever the client's speed; `capacity vs nginx` "
                "is nginx's figure divided by the server's.  `wrk core busy` near "
                "100%% means the client, not the server, was the limit.\n\n"
                % (rounds, conns, secs, CLIENT_CPU, SERVER_CPU, SERVER_CPU))
        f.write(md_table(headers, rows) + "\n")
        for x in notes:
            f.write("\n- note: " + x)
        f.write("\n")


if __name__ == "__main__":
    main()
