"""s3test.py: a real radosgw for a test file, and what tests ask of it.

Rgw(tmp) runs tests/s3/rgw_up.sh (a single-node Ceph, radosgw on a free
127.0.0.1 port) and rgw_down.sh at exit; .s3 is a boto3 client (path style);
.mark()/.requests(since) read radosgw's own access lines, so a test counts
the PUTs a run made from the server's side, not from the client's word.
"""
import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ACCESS_LINE = re.compile(r'beast: \S+ \S+ - \S+ \[[^\]]*\] "(\w+) (\S+) HTTP/[\d.]+" (\d+)')


def ensure_boto3():
    import importlib.util
    from srtest import apt_install  # noqa: E402  (tests/e2e on sys.path)
    return apt_install("python3-boto3", lambda: importlib.util.find_spec("boto3") is not None)


class Rgw:
    def __init__(self, tmp=None):
        # Its own directory, not the test's: the test's is removed before
        # atexit handlers run, and rgw_down.sh needs the pid files in it.
        self.dir = tempfile.mkdtemp(prefix="sr-rgw.", dir=os.environ.get("TMPDIR"))
        self.env = {}
        r = subprocess.run(["sh", os.path.join(HERE, "rgw_up.sh"), self.dir],
                           capture_output=True, text=True, timeout=900,
                           stdin=subprocess.DEVNULL)
        atexit.register(self.down)
        if r.returncode != 0:
            raise RuntimeError("rgw_up.sh failed: " + r.stderr[-2000:])
        with open(os.path.join(self.dir, "env")) as f:
            for ln in f:
                m = re.match(r"(\w+)=(.*)", ln.strip())
                if m:
                    self.env[m.group(1)] = m.group(2)
        self.endpoint = self.env["S3_ENDPOINT"]
        self.log = self.env["RGW_LOG"]
        import boto3
        from botocore.config import Config
        self.s3 = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))

    def down(self):
        if not os.path.isdir(self.dir):
            return
        subprocess.run(["sh", os.path.join(HERE, "rgw_down.sh"), self.dir],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def client_env(self, **extra):
        """The environment a collect run talks to this gateway with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                  "AWS_REGION"):
            env[k] = self.env[k]
        env.update(extra)
        return env

    def mark(self):
        """A position in the access log; requests(mark) lists what follows."""
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def requests(self, since, timeout=20):
        """[(method, path, status)] logged after since, once a sentinel
        request sent now shows up (radosgw writes its log asynchronously)."""
        tag = "/sentinel-" + uuid.uuid4().hex
        try:
            urllib.request.urlopen(self.endpoint + tag, timeout=5)
        except Exception:
            pass  # 403/404: logged all the same
        end = time.time() + timeout
        while True:
            with open(self.log, "rb") as f:
                f.seek(since)
                text = f.read().decode("utf-8", "replace")
            if tag in text or time.time() > end:
                break
            time.sleep(0.05)
        out = []
        for m in ACCESS_LINE.finditer(text):
            if m.group(2).startswith("/sentinel-"):
                continue
            out.append((m.group(1), urllib.parse.unquote(m.group(2)), int(m.group(3))))
        return out

    def puts(self, since, bucket):
        """Keys PUT into bucket after since, in the order radosgw logged them."""
        pre = "/" + bucket + "/"
        return [p[len(pre):] for m, p, s in self.requests(since)
                if m == "PUT" and p.startswith(pre)]
