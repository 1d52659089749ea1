"""harness.py: run the real entente binary for the integration tests.

A Node is one node directory in a fresh temporary directory: `entente init`
creates it (the admin token is the last line init prints), `entente serve
--listen 127.0.0.1:0` serves it, and the URL is learned from the single
`serving https://127.0.0.1:PORT/taxii2/` line serve prints when ready.
Requests go over HTTPS with the node's own self-signed certificate pinned
(DIR/tls.crt), through http.client only.  Everything is cleaned up on
close(), and every node still running when the interpreter exits is killed.

Python 3 standard library only.  The binary is $ENTENTE_BIN, by default
build/entente under the repository root.
"""

import atexit
import base64
import calendar
import datetime
import hashlib
import http.client
import json
import lzma
import os
import random
import re
import select
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("ENTENTE_BIN") or os.path.join(REPO_ROOT, "build",
    "entente")
ATTACK_DIR = os.path.join(REPO_ROOT, "tests", "data", "attack")

TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
API = "/taxii2/api/"

# Exit codes of the binary (docs/cli.md).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOTFOUND = 3
EXIT_EXISTS = 4

SERVE_READY_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0

# Emitted TAXII timestamps: UTC, exactly six fractional digits.
TS6_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# Valid Ed25519 public keys: the public keys of RFC 8032 section 7.1, tests
# 1, 2, 3, 1024 and SHA(abc).  party add needs real keys.
ED25519_PUBLIC_KEYS_HEX = [
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
    "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
]


# Their secret keys (RFC 8032 section 7.1, the same tests), so the tests
# can sign agreements as these parties.  Published test keys: never real.
ED25519_SEEDS_HEX = [
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
    "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
]

# docs/agreements.md, "Party identities".
IDENTITY_NAMESPACE = "d894b2ce-9dca-470f-ab18-a059b097ef14"


def identity_of(key_b64):
    """The STIX identity id of the party with this public key (base64)."""
    import uuid
    return "identity--%s" % uuid.uuid5(uuid.UUID(IDENTITY_NAMESPACE),
        key_b64)


def key_dir(parent, i):
    """A directory holding identity.key = the i-th test seed (for
    `entente agreement sign --dir`)."""
    d = os.path.join(parent, "key%d" % (i % len(ED25519_SEEDS_HEX)))
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "identity.key")
    if not os.path.exists(path):
        seed = bytes.fromhex(ED25519_SEEDS_HEX[i % len(ED25519_SEEDS_HEX)])
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(seed).decode("ascii") + "\n")
    return d


def ed25519_key(i):
    """The i-th known-valid Ed25519 public key, base64."""
    raw = bytes.fromhex(ED25519_PUBLIC_KEYS_HEX[i % len(
        ED25519_PUBLIC_KEYS_HEX)])
    return base64.b64encode(raw).decode("ascii")


# ---------------------------------------------------------------- CLI

class CliResult:
    """What one run of the binary did."""

    def __init__(self, args, rc, out, err):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err

    @property
    def last_line(self):
        lines = [l.strip() for l in self.out.splitlines() if l.strip()]
        return lines[-1] if lines else ""

    def __repr__(self):
        return ("entente %s -> exit %s\n--- stdout:\n%s--- stderr:\n%s" % (
            " ".join(self.args), self.rc, self.out[-2000:],
            self.err[-2000:]))


def run(*args, timeout=60, env=None):
    """Run the binary with args; never raises on a non-zero exit."""
    args = [str(a) for a in args]
    try:
        p = subprocess.run([BIN] + args, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace")
        return CliResult(args, "timeout after %ss" % timeout, out, err)
    return CliResult(args, p.returncode, p.stdout.decode("utf-8", "replace"),
        p.stderr.decode("utf-8", "replace"))


# ---------------------------------------------------------------- JSON

def _no_dup_pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate member %r" % k)
        d[k] = v
    return d


def _no_constants(name):
    raise ValueError("non-JSON constant %s" % name)


def strict_json(raw):
    """Parse bytes as strict JSON (UTF-8, no duplicate names, no NaN)."""
    return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_dup_pairs,
        parse_constant=_no_constants)


def canonical(obj):
    """The comparison form the tests use for "the same object"."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False)


# ---------------------------------------------------------------- time

_TS_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)"
    r"(?:\.(\d{1,9}))?[Zz]$")


def ts_us(s):
    """Microseconds since the epoch of an RFC 3339 UTC timestamp; digits
    past the sixth are truncated.  ValueError when s is not one."""
    m = _TS_RE.match(s)
    if not m:
        raise ValueError("not a UTC timestamp: %r" % (s,))
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    datetime.datetime(y, mo, d, h, mi, sec)  # validates the date
    frac = (m.group(7) or "")[:6].ljust(6, "0")
    secs = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))
    return secs * 1000000 + int(frac)


def fmt_ts(us, digits=6):
    """Format microseconds as a UTC timestamp with 0..9 fractional digits
    (digits past the sixth are zeros)."""
    secs, frac = divmod(us, 1000000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    if digits == 0:
        return base + "Z"
    f = ("%06d" % frac + "000")[:digits]
    return base + "." + f + "Z"


def stix_ts(us):
    """A STIX timestamp (millisecond precision, as most producers send)."""
    return fmt_ts(us - us % 1000, 3)


def now_us():
    return int(time.time() * 1000000)


def obj_version(obj):
    """An object's version: modified, else created (TAXII 2.1)."""
    return obj.get("modified", obj.get("created"))


# ---------------------------------------------------------------- HTTP

class Reply:
    """One HTTP response.  Unpacks as (status, headers, body): body is the
    parsed JSON when the payload is strict JSON, else the raw bytes."""

    def __init__(self, method, target, status, reason, headers, raw,
            req_headers=None):
        self.method = method
        self.target = target
        self.status = status
        self.reason = reason
        self.headers = headers
        self.raw = raw
        self.req_headers = req_headers or {}
        self.json_error = None
        try:
            self.body = strict_json(raw) if raw else raw
        except (ValueError, UnicodeDecodeError) as e:
            self.body = raw
            self.json_error = str(e)

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        hs = "".join("  %s: %s\n" % (k, v) for k, v in self.headers.items())
        body = self.raw[:1500].decode("utf-8", "replace")
        if len(self.raw) > 1500:
            body += "... (%d bytes)" % len(self.raw)
        return "%s %s -> %s %s\n%s  %s" % (self.method, self.target[:300],
            self.status, self.reason, hs, body)


def media_type(value):
    """Split a media type header into (type/subtype lowercased, {param:
    value}) with parameter names lowercased and quotes removed."""
    if value is None:
        return None, {}
    parts = value.split(";")
    mt = parts[0].strip().lower()
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return mt, params


def is_taxii_media(value):
    mt, params = media_type(value)
    return mt == "application/taxii+json" and params.get("version") == "2.1"


def encode_query(params, safe="[],:"):
    """Encode params (dict or list of pairs) as a query string.  Brackets,
    commas and colons stay literal by default, as people type them; pass
    safe="" to percent-encode them as most HTTP libraries do."""
    if params is None:
        return ""
    items = params.items() if isinstance(params, dict) else params
    return "&".join("%s=%s" % (urllib.parse.quote(str(k), safe=safe),
        urllib.parse.quote(str(v), safe=safe)) for k, v in items)


DEFAULT = object()

_live_nodes = set()


@atexit.register
def _kill_live_nodes():
    for n in list(_live_nodes):
        try:
            n.close()
        except Exception:
            pass


class Node:
    """A node directory and (when started) its `entente serve` process."""

    def __init__(self, name="test-node", start=True, tls=True):
        self.tmp = tempfile.mkdtemp(prefix="entente-it-")
        self.dir = os.path.join(self.tmp, "node")
        self.name = name
        self.tls = tls
        self.proc = None
        self.starts = 0
        self.url = None
        self.host = None
        self.port = None
        self._conn = None
        _live_nodes.add(self)
        try:
            r = run("init", "--dir", self.dir, "--name", name)
            if r.rc != EXIT_OK or not r.last_line:
                raise RuntimeError("entente init failed: %r" % r)
            self.admin_token = r.last_line
            self.init_result = r
            if start:
                self.start()
        except BaseException:
            self.close()
            raise

    # -- process

    def start(self, timeout=SERVE_READY_TIMEOUT):
        """Start serve and wait for its `serving URL` line."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("already running")
        self.starts += 1
        self.stderr_path = os.path.join(self.tmp,
            "serve-%d.stderr" % self.starts)
        args = [BIN, "serve", "--dir", self.dir, "--listen", "127.0.0.1:0"]
        if not self.tls:
            args.append("--no-tls")
        args += getattr(self, "serve_args", [])
        with open(self.stderr_path, "wb") as errf:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=errf)
        line = self._read_line(timeout)
        m = re.match(r"^serving (https?)://([^/:\s]+):(\d+)(/taxii2/)\s*$",
            line)
        if not m:
            self.kill()
            raise RuntimeError("serve printed %r, not 'serving URL'; "
                "stderr:\n%s" % (line, self.stderr_tail()))
        scheme, self.host, port, _ = m.groups()
        self.port = int(port)
        self.url = "%s://%s:%d/taxii2/" % (scheme, self.host, self.port)
        if (scheme == "https") != self.tls:
            self.kill()
            raise RuntimeError("serve announced %s" % self.url)
        if self.tls:
            self.ssl_ctx = ssl.create_default_context(
                cafile=os.path.join(self.dir, "tls.crt"))
        threading.Thread(target=self._drain, args=(self.proc,),
            daemon=True).start()
        return self.url

    def _read_line(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        buf = b""
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise RuntimeError("serve did not print its URL within "
                    "%ss; stderr:\n%s" % (timeout, self.stderr_tail()))
            r, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not r:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                rc = self.proc.wait(timeout=5)
                raise RuntimeError("serve exited (%s) before printing its "
                    "URL; stdout %r; stderr:\n%s" % (rc, buf,
                    self.stderr_tail()))
            buf += chunk
        return buf.split(b"\n", 1)[0].decode("utf-8", "replace")

    @staticmethod
    def _drain(proc):
        try:
            while proc.stdout.read(65536):
                pass
        except (OSError, ValueError):
            pass

    def stderr_tail(self, n=4000):
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace")
        except (OSError, AttributeError):
            return "(no stderr)"

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Wait for serve to exit; its exit code (kills it on timeout and
        raises AssertionError)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("serve did not exit within %ss of SIGTERM;"
                " stderr:\n%s" % (timeout, self.stderr_tail()))

    def stop(self, timeout=STOP_TIMEOUT, check=True):
        """SIGTERM serve and wait; with check, exit code 0 is required."""
        self.close_session()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.wait(timeout)
        proc, self.proc = self.proc, None
        if proc.stdout:
            try:
                proc.stdout.close()
            except OSError:
                pass
        if check and rc != 0:
            raise AssertionError("serve exited %s after SIGTERM (want 0); "
                "stderr:\n%s" % (rc, self.stderr_tail()))
        return rc

    def restart(self):
        self.stop()
        return self.start()

    def kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            if self.proc.stdout:
                try:
                    self.proc.stdout.close()
                except OSError:
                    pass
            self.proc = None

    def close(self):
        """Kill serve if it still runs and remove the directory."""
        self.close_session()
        self.kill()
        _live_nodes.discard(self)
        if self.tmp and not os.environ.get("ENTENTE_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # -- CLI

    def cli(self, *args, timeout=60):
        """Run the binary on this node's directory."""
        return run(*(list(args) + ["--dir", self.dir]), timeout=timeout)

    def _cli_ok(self, *args):
        r = self.cli(*args)
        if r.rc != EXIT_OK:
            raise AssertionError("command failed: %r" % r)
        return r

    def add_collection(self, title="Test collection", description=None,
            coll_id=None):
        args = ["collection", "add", "--title", title]
        if description is not None:
            args += ["--description", description]
        if coll_id is not None:
            args += ["--id", coll_id]
        r = self._cli_ok(*args)
        if not UUID_RE.match(r.last_line):
            raise AssertionError("collection add printed %r" % r)
        return r.last_line

    def add_party(self, name, key=None):
        return self._cli_ok("party", "add", name, "--key",
            key or ed25519_key(len(name)))

    def issue_token(self, party):
        r = self._cli_ok("token", "issue", party)
        return r.last_line

    def whoami(self):
        r = self._cli_ok("whoami", "--json")
        return json.loads(r.out)

    def make_agreement(self, others, shares, valid_from_us=None,
            valid_for="P1Y", retention=None, title="Test agreement",
            signers=None, extra=()):
        """Draft an agreement between this node's party and others
        [(name, key_index or Node)] with share clauses `shares` (--share specs;
        SELF stands for this node's party name), signed by this node and
        by each of signers (key indexes; default: every other party).
        Returns the signed file's path."""
        me = self.whoami()
        if valid_from_us is None:
            valid_from_us = now_us() - 3600 * 1000000
        path = os.path.join(self.tmp, "agreement-%d.json" % random.randrange(
            1 << 30))
        args = ["agreement", "draft", "--title", title,
            "--party", "%s,%s,mailto:soc@%s.example" % (me["name"],
                me["public_key"], me["name"].lower())]
        def key_of(k):
            return k.whoami()["public_key"] if isinstance(k, Node) \
                else ed25519_key(k)

        def dir_of(k):
            return k.dir if isinstance(k, Node) else key_dir(self.tmp, k)
        for name, ki in others:
            args += ["--party", "%s,%s,mailto:soc@%s.example" % (name,
                key_of(ki), name.lower())]
        args += ["--valid-from", fmt_ts(valid_from_us), "--valid-for",
            valid_for]
        for spec in shares:
            args += ["--share", spec.replace("SELF", me["name"])]
        if retention:
            args += ["--retention", retention]
        args += list(extra) + ["--out", path]
        r = run(*args)
        if r.rc != EXIT_OK:
            raise AssertionError("agreement draft failed: %r" % r)
        self._cli_ok("agreement", "sign", path)
        for _, ki in others:
            if signers is not None and ki not in signers:
                continue
            r = run("agreement", "sign", path, "--dir", dir_of(ki))
            if r.rc != EXIT_OK:
                raise AssertionError("agreement sign failed: %r" % r)
        return path

    def install_agreement(self, path):
        return self._cli_ok("agreement", "install", path)

    def partner(self, name, key_index=0, grants=()):
        """Add party name, issue it a token and, for grants [(coll, read,
        write)], install an agreement between this node's party and it
        whose share clauses let it read (from this node's party to it)
        and write (from it to this node's party) every type at any TLP
        in those collections.  Returns the token."""
        self.add_party(name, ed25519_key(key_index))
        tok = self.issue_token(name)
        shares = []
        for coll, rd, wr in grants:
            if rd:
                shares.append("from=SELF,to=%s,types=*,collections=%s,"
                    "tlp=red,onward=none" % (name, coll))
            if wr:
                shares.append("from=%s,to=SELF,types=*,collections=%s,"
                    "tlp=red,onward=none" % (name, coll))
        if shares:
            self.install_agreement(self.make_agreement([(name, key_index)],
                shares))
        return tok

    # -- HTTP

    def connect(self, timeout=REQUEST_TIMEOUT):
        """A new connection to the server (not yet opened)."""
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port,
                context=self.ssl_ctx, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port,
            timeout=timeout)

    def close_session(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None

    def auth_headers(self, token):
        if token is DEFAULT:
            token = self.admin_token
        if token is None:
            return {}
        return {"Authorization": "Bearer " + token}

    def request(self, method, path, body=None, headers=None, token=DEFAULT,
            params=None, keepalive=False, timeout=REQUEST_TIMEOUT,
            safe="[],:"):
        """Send one request; returns a Reply.

        path: absolute ("/taxii2/...") or relative to the API root.  body:
        dict/list (JSON-encoded), str or bytes.  headers: added over the
        defaults (Accept: TAXII 2.1, Authorization: Bearer admin token,
        Content-Type: TAXII 2.1 when there is a body); a None value removes
        a default.  token: None for no credentials.  params: query.
        keepalive: reuse one persistent connection (reopened on failure).
        """
        if not path.startswith("/"):
            path = API + path
        q = encode_query(params, safe=safe)
        if q:
            path += ("&" if "?" in path else "?") + q
        h = {"Accept": TAXII_MEDIA}
        h.update(self.auth_headers(token))
        if body is not None:
            h["Content-Type"] = TAXII_MEDIA
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode("utf-8")
            elif isinstance(body, str):
                body = body.encode("utf-8")
        for k, v in (headers or {}).items():
            for old in [x for x in h if x.lower() == k.lower()]:
                del h[old]
            if v is not None:
                h[k] = v
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        for attempt in (0, 1):
            if keepalive:
                if self._conn is None:
                    self._conn = self.connect(timeout)
                conn = self._conn
            else:
                conn = self.connect(timeout)
            try:
                conn.request(method, path, body=body, headers=h)
                resp = conn.getresponse()
                raw = resp.read()
                reply = Reply(method, path, resp.status, resp.reason,
                    resp.headers, raw, h)
                if not keepalive or resp.will_close:
                    conn.close()
                    if keepalive:
                        self._conn = None
                return reply
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as e:
                conn.close()
                self._conn = None
                if keepalive and attempt == 0:
                    continue  # the server closed an idle connection
                raise
        raise AssertionError("unreachable")

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params=params, **kw)

    # -- TAXII helpers

    def post_objects(self, coll, objects, token=DEFAULT, expect=202, **kw):
        """POST an envelope of objects; check the status code; return the
        status resource (dict)."""
        r = self.request("POST", "collections/%s/objects/" % coll,
            body={"objects": objects}, token=token, **kw)
        if r.status != expect:
            raise AssertionError("POST of %d objects: want %s, got:\n%r" % (
                len(objects), expect, r))
        return r.body

    def fetch_pages(self, coll, endpoint="objects/", params=None,
            limit=None, token=DEFAULT, max_pages=100000, keepalive=True,
            check=None):
        """Page through a collection endpoint ("objects/", "manifest/",
        "objects/ID/versions/") following more/next.  Returns the list of
        Replies.  Asserts 200, that more:true comes with a next, and that
        the loop ends."""
        params = list((params or {}).items()) if isinstance(params, dict) \
            else list(params or [])
        if limit is not None:
            params.append(("limit", limit))
        pages = []
        nxt = None
        while True:
            p = list(params)
            if nxt is not None:
                p.append(("next", nxt))
            r = self.request("GET", "collections/%s/%s" % (coll, endpoint),
                params=p, token=token, keepalive=keepalive, safe="[],:")
            if r.status != 200:
                raise AssertionError("page %d: want 200, got:\n%r" % (
                    len(pages) + 1, r))
            if not isinstance(r.body, dict):
                raise AssertionError("page %d: not a JSON object:\n%r" % (
                    len(pages) + 1, r))
            if check:
                check(r)
            pages.append(r)
            if not r.body.get("more"):
                return pages
            nxt = r.body.get("next")
            if not isinstance(nxt, str) or not nxt:
                raise AssertionError("more is true but next is %r:\n%r" % (
                    nxt, r))
            if len(pages) >= max_pages:
                raise AssertionError("more than %d pages" % max_pages)

    def fetch_all(self, coll, endpoint="objects/", params=None, limit=None,
            token=DEFAULT, key=None):
        """All items (objects, manifest records or versions) of a paged
        endpoint, in order."""
        if key is None:
            key = "versions" if endpoint.endswith("versions/") else "objects"
        items = []
        for r in self.fetch_pages(coll, endpoint, params, limit, token):
            items.extend(r.body.get(key, []))
        return items


def assert_taxii_error(testcase, reply, status):
    """reply is an HTTP error `status` carrying a TAXII error body."""
    testcase.assertEqual(reply.status, status, repr(reply))
    testcase.assertTrue(is_taxii_media(reply.header("Content-Type")),
        "error without the TAXII media type:\n%r" % reply)
    testcase.assertIsInstance(reply.body, dict, "error body is not a JSON "
        "object (%s):\n%r" % (reply.json_error, reply))
    testcase.assertIsInstance(reply.body.get("title"), str, repr(reply))
    testcase.assertTrue(reply.body["title"], repr(reply))
    testcase.assertEqual(reply.body.get("http_status"), str(status),
        "http_status must be the code as a string:\n%r" % reply)


def assert_ok_taxii(testcase, reply, status=200):
    testcase.assertEqual(reply.status, status, repr(reply))
    testcase.assertTrue(is_taxii_media(reply.header("Content-Type")),
        "Content-Type is not TAXII 2.1:\n%r" % reply)
    testcase.assertIsInstance(reply.body, dict, "body is not a JSON object "
        "(%s):\n%r" % (reply.json_error, reply))


# ---------------------------------------------------------------- STIX

def new_id(stix_type, rng=None):
    if rng is None:
        return "%s--%s" % (stix_type, uuid.uuid4())
    return "%s--%s" % (stix_type, uuid.UUID(int=rng.getrandbits(128),
        version=4))


# STIX 2.1 namespace for deterministic SCO identifiers (section 2.9).
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")


def sco_id(stix_type, contributing):
    name = json.dumps(contributing, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False)
    return "%s--%s" % (stix_type, uuid.uuid5(SCO_NAMESPACE, name))


def _pattern(i, rng):
    kind = i % 7
    a, b = rng.randrange(256), rng.randrange(1, 255)
    if kind == 0:
        v = "198.51.100.%d" % b
        return "[ipv4-addr:value = '%s']" % v, "Scanner at %s" % v
    if kind == 1:
        d = "c2-%d-%x.example" % (i, rng.getrandbits(24))
        return "[domain-name:value = '%s']" % d, "C2 domain %s" % d
    if kind == 2:
        h = hashlib.sha256(("sample-%d-%d" % (i, a)).encode()).hexdigest()
        return "[file:hashes.'SHA-256' = '%s']" % h, "Dropper %s" % h[:12]
    if kind == 3:
        u = "https://phish-%d.example.net/login?id=%d" % (i, a)
        return "[url:value = '%s']" % u, "Phishing URL %d" % i
    if kind == 4:
        v = "2001:db8:%x::%x" % (a, b)
        return "[ipv6-addr:value = '%s']" % v, "IPv6 host %s" % v
    if kind == 5:
        net = "203.0.113.%d/32" % b
        d = "mx-%d.example.org" % i
        return ("[ipv4-addr:value ISSUBSET '%s'] OR [domain-name:value = "
            "'%s']" % (net, d)), "Mail relay %d" % i
    e = "billing-%d@example.com" % i
    return ("[email-message:from_ref.value = '%s' AND "
        "email-message:subject LIKE '%%invoice%%']" % e), "Invoice lure %d" % i


def make_indicator(i=0, rng=None, created_us=None, **over):
    """One valid STIX 2.1 indicator with a real-looking pattern."""
    rng = rng or random.Random(i)
    if created_us is None:
        created_us = 1704067200000000 + i * 1000  # 2024-01-01 + i ms
    ts = stix_ts(created_us)
    pattern, name = _pattern(i, rng)
    o = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": new_id("indicator", rng),
        "created": ts,
        "modified": ts,
        "name": name,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": ts,
        "labels": ["entente-test"],
    }
    o.update(over)
    return o


def make_indicators(n, seed=0, start=0):
    """n valid indicators, deterministic for a seed."""
    rng = random.Random(seed)
    return [make_indicator(start + i, rng) for i in range(n)]


def make_sample_objects(seed=1):
    """A valid object of many STIX 2.1 types, referring to each other, with
    non-ASCII text.  Returns a list."""
    rng = random.Random(seed)
    ts = stix_ts(1714564800000000)  # 2024-05-01T12:00:00Z
    ident = {"type": "identity", "spec_version": "2.1",
        "id": new_id("identity", rng), "created": ts, "modified": ts,
        "name": "CERT Ætherland — Équipe de réponse 東京",
        "identity_class": "organization", "sectors": ["government"]}
    by = ident["id"]
    mark = {"type": "marking-definition", "spec_version": "2.1",
        "id": new_id("marking-definition", rng), "created": ts,
        "created_by_ref": by, "definition_type": "statement",
        "definition": {"statement": "Copyright 2024 CERT Ætherland"}}
    common = {"spec_version": "2.1", "created": ts, "modified": ts,
        "created_by_ref": by, "object_marking_refs": [mark["id"]]}

    def sdo(t, **props):
        o = {"type": t, "id": new_id(t, rng)}
        o.update(common)
        o.update(props)
        return o

    malware = sdo("malware", name="GridLock", is_family=True,
        malware_types=["ransomware"], description="Ransomware \u2603 aimed "
        "at SCADA historians.\nSecond line with \"quotes\" and \\ slash.")
    actor = sdo("threat-actor", name="Copper Wolf",
        threat_actor_types=["nation-state"], aliases=["CW", "Medny Volk"],
        roles=["agent"], sophistication="expert")
    ap = sdo("attack-pattern", name="Spearphishing Attachment",
        external_references=[{"source_name": "capec",
            "external_id": "CAPEC-163"}],
        kill_chain_phases=[{"kill_chain_name": "mitre-attack",
            "phase_name": "initial-access"}])
    campaign = sdo("campaign", name="Operation Blackout",
        first_seen=ts, objective="Disrupt the grid")
    coa = sdo("course-of-action", name="Block the C2 domains",
        description="Sinkhole them.")
    vuln = sdo("vulnerability", name="CVE-2024-3400",
        external_references=[{"source_name": "cve",
            "external_id": "CVE-2024-3400"}])
    tool = sdo("tool", name="Mimikatz", tool_types=["credential-exploitation"])
    ind = make_indicator(9999, rng, created_us=1714564800000000,
        created_by_ref=by)
    rel = sdo("relationship", relationship_type="uses",
        source_ref=actor["id"], target_ref=malware["id"])
    rel2 = sdo("relationship", relationship_type="indicates",
        source_ref=ind["id"], target_ref=malware["id"])
    sight = sdo("sighting", sighting_of_ref=ind["id"], count=3,
        first_seen=ts, last_seen=ts, where_sighted_refs=[by])
    report = sdo("report", name="Grid threat landscape Q2",
        report_types=["threat-report"], published=ts,
        object_refs=[actor["id"], malware["id"], rel["id"]])
    note = sdo("note", abstract="Analyst note",
        content="Seen again on 2024-05-02.", object_refs=[malware["id"]])
    grouping = sdo("grouping", context="suspicious-activity",
        object_refs=[ind["id"], sight["id"]])
    ipv4 = {"type": "ipv4-addr", "spec_version": "2.1",
        "id": sco_id("ipv4-addr", {"value": "198.51.100.77"}),
        "value": "198.51.100.77"}
    dom = {"type": "domain-name", "spec_version": "2.1",
        "id": sco_id("domain-name", {"value": "grid-update.example"}),
        "value": "grid-update.example"}
    return [ident, mark, malware, actor, ap, campaign, coa, vuln, tool, ind,
        rel, rel2, sight, report, note, grouping, ipv4, dom]


def load_attack(version, domain="mobile"):
    """Parse tests/data/attack/<domain>-attack-<version>.json.xz."""
    path = os.path.join(ATTACK_DIR, "%s-attack-%s.json.xz" % (domain,
        version))
    with lzma.open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def chunks(seq, n):
    return [seq[i:i + n] for i in range(0, len(seq), n)]
