"""entente partner add|list|show|remove: the partners' nodes this node
syncs with (docs/cli.md, "partner").  The bearer token a partner issued to
this node is a secret: no output may hold it beyond its 8-character
prefix."""

import base64
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import tempfile
import time
import unittest

import harness as h

TOKEN_ENV = "ENTENTE_PARTNER_TOKEN"


def new_token():
    """A token shaped like the ones `entente token issue` prints."""
    return "ent_" + secrets.token_urlsafe(40)


def closed_port():
    """A loopback TCP port nothing listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def have_sync():
    r = h.run("--help", timeout=10)
    return re.search(r"^\s+sync\s", r.out, re.M) is not None


class PartnerCliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="entente-partner-")
        self.dir = os.path.join(self.tmp, "node")
        r = h.run("init", "--dir", self.dir, "--name", "cert-a")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.me = self.whoami(self.dir)
        self.token = new_token()
        self.outputs = []

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def whoami(self, d):
        r = h.run("whoami", "--json", "--dir", d)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return json.loads(r.out)

    def other_node(self, name="cert-b"):
        """Another node's directory and whoami: real keys, pin, log key."""
        d = os.path.join(self.tmp, name)
        r = h.run("init", "--dir", d, "--name", name)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return d, self.whoami(d)

    def cli(self, *args, env=None):
        r = h.run(*(list(args) + ["--dir", self.dir]), env=env)
        self.outputs.append(r)
        return r

    def add(self, name, key, url="https://127.0.0.1:8443", token=None,
            extra=(), env=None):
        args = ["partner", "add", name, "--url", url, "--key", key]
        if token is not False:
            args += ["--token", token or self.token]
        return self.cli(*(args + list(extra)), env=env)

    def list_json(self):
        r = self.cli("partner", "list", "--json")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return h.strict_json(r.out.encode())

    def show_json(self, name):
        r = self.cli("partner", "show", name, "--json")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return h.strict_json(r.out.encode())

    def show_fields(self, name):
        r = self.cli("partner", "show", name)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        fields = {}
        for line in r.out.splitlines():
            k, sep, v = line.partition(": ")
            if sep:
                fields[k] = v
        return r, fields

    def parties(self):
        r = self.cli("party", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return {l.split()[0]: l.split() for l in r.out.splitlines()}

    def assertNoToken(self, token=None):
        """No output so far holds the token past its shown prefix."""
        token = token or self.token
        for r in self.outputs:
            for stream in (r.out, r.err):
                self.assertNotIn(token, stream, repr(r))
                self.assertNotIn(token[8:], stream, repr(r))
                self.assertNotIn(token[6:20], stream, repr(r))

    # ------------------------------------------------------------ add

    def test_add_new_party(self):
        r = self.add("cert-b", h.ed25519_key(1),
            url="https://127.0.0.1:8443/")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        lines = r.out.strip().splitlines()
        self.assertEqual(len(lines), 1, "a one-line summary: %r" % r)
        self.assertIn("cert-b", lines[0])
        self.assertIn("new party", lines[0])
        self.assertIn("https://127.0.0.1:8443;", lines[0],
            "the trailing slash is dropped: %r" % r)
        # The party was created, role partner, with KEY.
        p = self.parties()
        self.assertIn("cert-b", p)
        self.assertEqual(p["cert-b"][1:3], ["partner", h.ed25519_key(1)])
        [o] = self.list_json()
        self.assertEqual(o["name"], "cert-b")
        self.assertEqual(o["url"], "https://127.0.0.1:8443")
        self.assertEqual(o["public_key"], h.ed25519_key(1))
        self.assertIsNone(o["tls_pin"])
        self.assertIsNone(o["log_key"])
        self.assertNoToken()

    def test_add_existing_party_same_key(self):
        r = self.cli("party", "add", "cert-b", "--key", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        r = self.add("cert-b", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("existing party", r.out)
        self.assertEqual(len([n for n in self.parties() if n == "cert-b"]),
            1)
        self.assertEqual([o["name"] for o in self.list_json()], ["cert-b"])

    def test_add_existing_party_other_key_refused(self):
        r = self.cli("party", "add", "cert-b", "--key", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        r = self.add("cert-b", h.ed25519_key(2))
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("another key", r.err)
        self.assertIn("partner add", r.err, "name the command: %r" % r)
        self.assertEqual(self.list_json(), [], "nothing changed")
        self.assertEqual(self.parties()["cert-b"][2], h.ed25519_key(1))

    def test_add_key_of_another_party_refused(self):
        r = self.cli("party", "add", "cert-b", "--key", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        r = self.add("cert-b2", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("cert-b", r.err, "name the party holding the key")
        self.assertNotIn("cert-b2", self.parties(), "no party created")
        self.assertEqual(self.list_json(), [])

    def test_add_self_refused(self):
        # The node's own party, by name (with its key or another) ...
        for key in (self.me["public_key"], h.ed25519_key(1)):
            with self.subTest(key=key):
                r = self.add("cert-a", key)
                self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
                self.assertIn("own party", r.err)
        # ... or by key under another name.
        r = self.add("cert-a2", self.me["public_key"])
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("own key", r.err)
        self.assertNotIn("cert-a2", self.parties())
        self.assertEqual(self.list_json(), [])

    def test_add_twice_exists(self):
        self.assertEqual(self.add("cert-b", h.ed25519_key(1)).rc, h.EXIT_OK)
        other = new_token()
        r = self.add("cert-b", h.ed25519_key(1), url="https://b.example",
            token=other)
        self.assertEqual(r.rc, h.EXIT_EXISTS, repr(r))
        self.assertIn("already a partner", r.err)
        # The first record stands.
        o = self.show_json("cert-b")
        self.assertEqual(o["url"], "https://127.0.0.1:8443")
        self.assertEqual(o["token_prefix"], self.token[:8] + "...")
        self.assertNoToken()
        self.assertNoToken(other)

    def test_add_bad_arguments(self):
        key = h.ed25519_key(1)
        d, b = self.other_node()
        bad = {
            "url": ["", "127.0.0.1:8443", "ftp://h.example",
                "https://", "https://h.example/taxii2/",
                "https://h.example:8443/x", "https://h.example?x=1",
                "https://h.example#f", "https://user:pw@h.example",
                "https://h.example:0", "https://h.example:65536",
                "https://h.example:84x", "https://h.example:",
                "https://-h.example", "https://h_x.example",
                "https://h .example", "https://[::1", "https://[xyz]:1",
                "https://" + "a" * 64 + ".example",
                "https://" + "a." * 300 + "example",
                "http://h.example", "http://10.0.0.1:8080",
                "http://127.0.0.2:8080", "http://[::2]:8080"],
            "key": ["", "not base64!", base64.b64encode(b"x" * 31).decode(),
                base64.b64encode(b"x" * 33).decode(),
                h.ed25519_key(1).rstrip("=")],
            "token": ["", "short", "has space in the token",
                "ent_" + "x" * 20 + "\n", "ent_abc=def" + "x" * 10,
                "ent_" + "\u00e9" * 20, "a" * 257, "=" * 20],
            "tls-pin": ["", "nope", base64.b64encode(b"x" * 31).decode(),
                base64.b64encode(b"x" * 33).decode()],
            "log-key": ["", "nope", b["public_key"],
                b["log_key"] + "x", b["log_key"].replace("+", "-", 1),
                # Well formed, but the log key of another party's key.
                self.me["log_key"]],
            "name": ["", "has:colon", "x" * 65, " lead"],
        }
        for what, values in bad.items():
            for v in values:
                with self.subTest(what=what, value=v):
                    args, name, url, k = [], "cert-b", \
                        "https://127.0.0.1:8443", key
                    tok = None
                    if what == "url":
                        url = v
                    elif what == "key":
                        k = v
                    elif what == "token":
                        tok = v
                    elif what == "name":
                        name = v
                    else:
                        args = ["--" + what, v]
                    if what == "log-key":
                        k = b["public_key"]
                    if tok == "":
                        r = self.cli("partner", "add", name, "--url", url,
                            "--key", k, "--token", "", *args)
                    else:
                        r = self.add(name, k, url=url, token=tok,
                            extra=args)
                    self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
                    self.assertTrue(r.err.strip(), "say why: %r" % r)
                    self.assertIn("partner add", r.err)
                    if what == "token" and v:
                        self.assertNotIn(v.strip(), r.err + r.out,
                            "a bad token is not echoed either")
        # A URL holding a password is not echoed.
        r = self.add("cert-b", key, url="https://u:hunter2hunter2@h.example")
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertNotIn("hunter2", r.err + r.out)
        # Missing pieces.
        env = dict(os.environ)
        env.pop(TOKEN_ENV, None)
        for args in (["--key", key, "--token", self.token],
                ["--url", "https://h.example", "--token", self.token],
                ["--url", "https://h.example", "--key", key]):
            with self.subTest(args=args):
                r = self.cli("partner", "add", "cert-b", *args, env=env)
                self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        r = self.cli("partner", "add", "--url", "https://h.example", "--key",
            key, "--token", self.token)
        self.assertEqual(r.rc, h.EXIT_USAGE, "no NAME: %r" % r)
        # A pin means nothing without TLS.
        r = self.add("cert-b", key, url="http://127.0.0.1:8080",
            extra=["--tls-pin", b["tls_pin"]])
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        # Nothing was created by any of them.
        self.assertEqual(self.list_json(), [])
        self.assertEqual(sorted(self.parties()), ["cert-a"])
        self.assertNoToken()

    def test_add_with_pin_and_log_key(self):
        d, b = self.other_node()
        r = self.add("cert-b", b["public_key"], url="HTTPS://LocalHost:9443//",
            extra=["--tls-pin", b["tls_pin"], "--log-key", b["log_key"]])
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("pinned", r.out)
        self.assertIn("log key: given", r.out)
        o = self.show_json("cert-b")
        self.assertEqual(o["url"], "https://LocalHost:9443")
        self.assertEqual(o["tls_pin"], b["tls_pin"])
        self.assertEqual(o["log_key"], b["log_key"])
        self.assertEqual(o["public_key"], b["public_key"])
        _, f = self.show_fields("cert-b")
        self.assertEqual(f["tls pin"], b["tls_pin"])
        self.assertEqual(f["log key"], b["log_key"])
        self.assertNoToken()

    def test_url_forms(self):
        key = h.ed25519_key(1)
        good = [("https://h.example", "https://h.example", False),
            ("https://h.example:1/", "https://h.example:1", False),
            ("https://192.0.2.7:65535", "https://192.0.2.7:65535", False),
            ("https://[2001:db8::7]:8443/", "https://[2001:db8::7]:8443",
                False),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", True),
            ("http://[::1]:8080", "http://[::1]:8080", True),
            ("http://localhost:8080", "http://localhost:8080", True)]
        for given, stored, plain in good:
            with self.subTest(url=given):
                r = self.add("cert-b", key, url=given)
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))
                self.assertEqual(self.show_json("cert-b")["url"], stored)
                if plain:
                    self.assertIn("loopback", r.err,
                        "say why plain http is accepted: %r" % r)
                    self.assertIn("none (loopback http)", r.out)
                else:
                    self.assertEqual(r.err, "")
                r = self.cli("partner", "remove", "cert-b")
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))

    def test_token_from_env(self):
        env = dict(os.environ)
        env[TOKEN_ENV] = self.token
        r = self.add("cert-b", h.ed25519_key(1), token=False, env=env)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual(self.show_json("cert-b")["token_prefix"],
            self.token[:8] + "...")
        # --token wins over the environment.
        other = new_token()
        r = self.add("cert-c", h.ed25519_key(2), token=other, env=env)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual(self.show_json("cert-c")["token_prefix"],
            other[:8] + "...")
        # A bad token from the environment is a usage error too.
        env[TOKEN_ENV] = "short"
        r = self.add("cert-d", h.ed25519_key(3), token=False, env=env)
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertNoToken()
        self.assertNoToken(other)

    # ------------------------------------------------------ list, show

    def test_list_and_show_new_partner(self):
        r = self.cli("partner", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("no partner", r.out)
        self.assertEqual(self.list_json(), [])
        before = h.now_us()
        self.assertEqual(self.add("cert-b", h.ed25519_key(1)).rc, h.EXIT_OK)
        self.assertEqual(self.add("cert-c", h.ed25519_key(2),
            url="https://c.example:9443", token=new_token()).rc, h.EXIT_OK)
        r = self.cli("partner", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        lines = r.out.strip().splitlines()
        self.assertEqual(len(lines), 2, repr(r))
        self.assertRegex(lines[0], r"^cert-b\s+https://127\.0\.0\.1:8443\s+"
            r"ok\s+last sync never, 0 objects received$")
        self.assertRegex(lines[1], r"^cert-c\s+https://c\.example:9443\s+"
            r"ok\s+last sync never, 0 objects received$")
        objs = self.list_json()
        self.assertEqual([o["name"] for o in objs], ["cert-b", "cert-c"])
        for o in objs:
            self.assertFalse([k for k in o if "token" in k],
                "list --json holds no token: %r" % o)
            self.assertEqual(o["state"], "ok")
            self.assertIsNone(o["last_ok"])
            self.assertIsNone(o["last_attempt"])
            self.assertIsNone(o["backoff_until"])
            self.assertIsNone(o["last_error"])
            self.assertIsNone(o["evidence"])
            self.assertEqual(o["failures"], 0)
            self.assertEqual(o["objects_received"], 0)
            added = h.ts_us(o["added"])
            self.assertTrue(before - 5000000 <= added <= h.now_us() +
                5000000, o)
        # show: every field, the token as its prefix only.
        r, f = self.show_fields("cert-b")
        self.assertEqual(f["partner"], "cert-b")
        self.assertEqual(f["public key"], h.ed25519_key(1))
        self.assertEqual(f["url"], "https://127.0.0.1:8443")
        self.assertIn("none", f["tls pin"])
        self.assertIn("first sync", f["log key"])
        self.assertEqual(f["token"], self.token[:8] + "...")
        self.assertEqual(f["state"], "ok")
        self.assertEqual(h.ts_us(f["added"]), h.ts_us(objs[0]["added"]))
        self.assertEqual(f["last ok"], "never")
        self.assertEqual(f["last attempt"], "never")
        self.assertEqual(f["failures in a row"], "0")
        self.assertEqual(f["backoff until"], "none")
        self.assertEqual(f["last error"], "none")
        self.assertEqual(f["evidence"], "none")
        self.assertEqual(f["objects received"], "0")
        self.assertNotIn("HALTED", r.out)
        o = self.show_json("cert-b")
        self.assertEqual(o["token_prefix"], self.token[:8] + "...")
        self.assertEqual({k: v for k, v in o.items() if k != "token_prefix"},
            objs[0], "show --json is list --json's object plus the prefix")
        self.assertFalse([k for k, v in o.items() if k != "token_prefix" and
            isinstance(v, str) and self.token[:8] in v])
        self.assertNoToken()

    def test_show_unknown(self):
        for name in ("nobody", "cert-a"):
            with self.subTest(name=name):
                r = self.cli("partner", "show", name)
                self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
                self.assertIn("not a partner", r.err)
        # A party that is not a partner.
        self.cli("party", "add", "cert-b", "--key", h.ed25519_key(1))
        r = self.cli("partner", "show", "cert-b", "--json")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        self.assertEqual(r.out, "")

    # ---------------------------------------------------------- remove

    def test_remove(self):
        self.assertEqual(self.add("cert-b", h.ed25519_key(1)).rc, h.EXIT_OK)
        self.assertEqual(self.add("cert-c", h.ed25519_key(2),
            token=new_token()).rc, h.EXIT_OK)
        r = self.cli("partner", "remove", "cert-b")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("cert-b", r.out)
        self.assertEqual([o["name"] for o in self.list_json()], ["cert-c"])
        # The party stays.
        self.assertEqual(self.parties()["cert-b"][1:3],
            ["partner", h.ed25519_key(1)])
        r = self.cli("partner", "show", "cert-b")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        for name in ("cert-b", "nobody", "cert-a"):
            with self.subTest(name=name):
                r = self.cli("partner", "remove", name)
                self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
                self.assertIn("partner remove", r.err)
        # Added again: the existing party, a fresh record.
        other = new_token()
        r = self.add("cert-b", h.ed25519_key(1), token=other)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("existing party", r.out)
        self.assertEqual(self.show_json("cert-b")["token_prefix"],
            other[:8] + "...")
        self.assertNoToken()
        self.assertNoToken(other)

    # ----------------------------------------------------------- usage

    def test_help_and_usage_errors(self):
        for args in (["partner", "--help"], ["partner", "add", "--help"],
                ["partner", "list", "--help"], ["partner", "show", "--help"],
                ["partner", "remove", "--help"]):
            with self.subTest(args=args):
                r = h.run(*args, timeout=10)
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))
                self.assertIn("usage", r.out.lower())
                self.assertIn("partner add", r.out)
        r = h.run("--help", timeout=10)
        self.assertRegex(r.out, r"\n\s+partner\s")
        for args in (["partner"], ["partner", "frob"],
                ["partner", "list", "extra"], ["partner", "show"],
                ["partner", "show", "a", "b"], ["partner", "remove"],
                ["partner", "list", "--url", "https://h.example"],
                ["partner", "remove", "cert-b", "--json"],
                ["partner", "show", "cert-b", "--token", self.token],
                ["partner", "list", "--no-such-option"]):
            with self.subTest(args=args):
                r = self.cli(*args)
                self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
                self.assertTrue(r.err.strip(), repr(r))
        self.assertNoToken()

    def test_missing_node(self):
        missing = os.path.join(self.tmp, "missing")
        for args in (["list"], ["show", "cert-b"], ["remove", "cert-b"],
                ["add", "cert-b", "--url", "https://h.example", "--key",
                    h.ed25519_key(1), "--token", self.token]):
            with self.subTest(args=args):
                r = h.run("partner", *args, "--dir", missing)
                self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
                self.assertIn(missing, r.err)
        self.assertFalse(os.path.exists(missing))

    # ------------------------------------------ states set by the sync

    def test_failing_state_after_sync(self):
        """A partner whose node cannot be reached: entente sync records
        the failure, which list and show report."""
        if not have_sync():
            self.skipTest("entente sync does not exist in this build")
        # This test's node is a harness.Node (not served), for its
        # agreement helpers: an agreement with cert-b must be in force, or
        # sync skips it.
        node = h.Node(name="cert-a", start=False)
        self.addCleanup(node.close)
        self.dir = node.dir
        r = self.cli("collection", "add", "--title", "Grid", "--name",
            "grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        node.install_agreement(node.make_agreement([("cert-b", 1)],
            ["from=cert-b,to=SELF,types=*,collections=grid,tlp=red,"
            "onward=none"]))
        url = "http://127.0.0.1:%d" % closed_port()
        self.assertEqual(self.add("cert-b", h.ed25519_key(1), url=url).rc,
            h.EXIT_OK)
        before = h.now_us()
        r = self.cli("sync", "--once")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        [o] = self.list_json()
        self.assertEqual(o["state"], "failing", o)
        self.assertEqual(o["failures"], 1, o)
        self.assertIsNone(o["last_ok"])
        self.assertGreaterEqual(h.ts_us(o["last_attempt"]), before - 5000000)
        self.assertGreater(h.ts_us(o["backoff_until"]),
            h.ts_us(o["last_attempt"]))
        self.assertTrue(o["last_error"], o)
        self.assertIsNone(o["evidence"])
        r = self.cli("partner", "list")
        self.assertRegex(r.out, r"^cert-b\s+\S+\s+failing\s+last sync never")
        r, f = self.show_fields("cert-b")
        self.assertEqual(f["state"], "failing")
        self.assertEqual(f["failures in a row"], "1")
        self.assertEqual(f["last ok"], "never")
        self.assertNotEqual(f["last attempt"], "never")
        self.assertNotEqual(f["backoff until"], "none")
        self.assertNotEqual(f["last error"], "none")
        self.assertNotIn("HALTED", r.out)
        self.assertNoToken()

    def test_ok_then_halted_states_after_sync(self):
        """A real partner node: a good sync (state ok, last sync time, log
        key learnt), then its log contradicts what this node saw: halted,
        with the evidence file named; remove keeps the file."""
        if not have_sync():
            self.skipTest("entente sync does not exist in this build")
        a = h.Node(name="cert-a", start=False)
        self.addCleanup(a.close)
        b = h.Node(name="cert-b")
        self.addCleanup(b.close)
        self.dir = a.dir
        wa, wb = a.whoami(), b.whoami()
        b.add_party("cert-a", wa["public_key"])
        token = b.issue_token("cert-a")
        a.add_party("cert-b", wb["public_key"])
        r = self.cli("collection", "add", "--title", "Grid", "--name",
            "grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        path = a.make_agreement([("cert-b", b)], ["from=cert-b,to=SELF,"
            "types=*,collections=grid,tlp=red,onward=none"])
        a.install_agreement(path)
        b.install_agreement(path)
        # Wait for cert-b to sign a checkpoint holding that install: a
        # checkpoint of size 0 would be consistent with anything.
        deadline = time.monotonic() + 30
        while True:
            r = b.cli("log", "checkpoint")
            lines = r.out.splitlines()
            if r.rc == h.EXIT_OK and len(lines) > 1 and lines[1].isdigit() \
                    and int(lines[1]) > 0:
                break
            self.assertLess(time.monotonic(), deadline, repr(r))
            time.sleep(0.1)
        base = b.url[:-len("/taxii2/")]
        r = self.add("cert-b", wb["public_key"], url=base + "/",
            token=token, extra=["--tls-pin", wb["tls_pin"]])
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        before = h.now_us()
        r = self.cli("sync", "--once")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        [o] = self.list_json()
        self.assertEqual(o["state"], "ok", o)
        self.assertGreaterEqual(h.ts_us(o["last_ok"]), before - 5000000)
        self.assertEqual(o["last_attempt"], o["last_ok"])
        self.assertEqual(o["log_key"], wb["log_key"], "learnt at first sync")
        r = self.cli("partner", "list")
        self.assertRegex(r.out, r"^cert-b\s+\S+\s+ok\s+last sync %s, " %
            re.escape(o["last_ok"]))
        # What this node saw of cert-b's log now differs from what cert-b
        # serves: as if it had shown another checkpoint of that size.
        db = sqlite3.connect(os.path.join(a.dir, "entente.db"))
        try:
            n = db.execute("UPDATE tlog_seen SET root = randomblob(32) "
                "WHERE vkey = ?", (wb["log_key"],)).rowcount
            db.commit()
        finally:
            db.close()
        self.assertGreater(n, 0)
        r = self.cli("sync", "--once")
        self.assertEqual(r.rc, 5, repr(r))
        [o] = self.list_json()
        self.assertEqual(o["state"], "halted", o)
        self.assertTrue(o["evidence"] and os.path.isfile(o["evidence"]), o)
        r = self.cli("partner", "list")
        self.assertRegex(r.out, r"^cert-b\s+\S+\s+halted\s")
        r, f = self.show_fields("cert-b")
        self.assertEqual(r.out.splitlines()[0], "HALTED: its log contradicted "
            "what this node saw; evidence in %s; not synced until removed "
            "and added again" % o["evidence"])
        self.assertEqual(f["state"], "halted")
        self.assertEqual(f["evidence"], o["evidence"])
        self.assertNotEqual(f["last ok"], "never")
        self.assertEqual(self.show_json("cert-b")["evidence"], o["evidence"])
        r = self.cli("partner", "remove", "cert-b")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn(o["evidence"], r.out, "say the evidence stays")
        self.assertTrue(os.path.isfile(o["evidence"]))
        self.assertEqual(self.cli("partner", "show", "cert-b").rc,
            h.EXIT_NOTFOUND)
        self.assertNoToken(token)


if __name__ == "__main__":
    unittest.main()
