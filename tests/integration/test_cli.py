"""The command line: --help everywhere, init, whoami, party, token,
collection, exit codes, and serve's refusal of plaintext off loopback."""

import base64
import os
import shutil
import stat
import tempfile
import unittest

import harness as h


def b64_32(s):
    """s decodes (standard base64) to 32 bytes."""
    try:
        return len(base64.b64decode(s, validate=True)) == 32
    except (ValueError, TypeError):
        return False


class CliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="entente-cli-")
        self.dir = os.path.join(self.tmp, "node")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def init(self, d=None, name="cert-a"):
        r = h.run("init", "--dir", d or self.dir, "--name", name)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return r

    def cli(self, *args, d=None, timeout=60):
        return h.run(*(list(args) + ["--dir", d or self.dir]),
            timeout=timeout)

    def test_help_everywhere(self):
        for args in (["--help"], ["init", "--help"], ["serve", "--help"],
                ["whoami", "--help"], ["party", "--help"],
                ["party", "add", "--help"], ["token", "--help"],
                ["token", "issue", "--help"], ["collection", "--help"],
                ["collection", "add", "--help"],
                ["collection", "list", "--help"], ["agreement", "--help"],
                ["policy", "--help"], ["partner", "--help"],
                ["sync", "--help"], ["demo", "--help"], ["log", "--help"],
                ["match", "--help"], ["export", "--help"]):
            with self.subTest(args=args):
                r = h.run(*args, timeout=10)
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))
                self.assertIn("usage", r.out.lower(),
                    "--help must print usage on stdout: %r" % r)

    def test_unknown_command_is_usage_error(self):
        r = h.run("frobnicate", timeout=10)
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertTrue(r.err.strip(), "say what was wrong on stderr")
        r = h.run(timeout=10)
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        r = h.run("init", "--no-such-option", "--dir", self.dir, "--name",
            "x", timeout=10)
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertFalse(os.path.exists(self.dir),
            "a usage error must not create the node")

    def test_init_creates_private_node(self):
        r = self.init()
        token = r.last_line
        self.assertRegex(token, r"^\S{20,}$", "admin token alone on the "
            "last line: %r" % r)
        self.assertEqual(stat.S_IMODE(os.stat(self.dir).st_mode), 0o700)
        key = os.path.join(self.dir, "identity.key")
        self.assertTrue(os.path.isfile(key), os.listdir(self.dir))
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        # The TLS private key is a secret too.
        tlskey = os.path.join(self.dir, "tls.key")
        if os.path.exists(tlskey):
            self.assertEqual(stat.S_IMODE(os.stat(tlskey).st_mode), 0o600)
        crt = os.path.join(self.dir, "tls.crt")
        with open(crt, "rb") as f:
            self.assertIn(b"-----BEGIN CERTIFICATE-----", f.read())
        # A second token issue for the node's own party gives a new token.
        r2 = self.cli("token", "issue", "cert-a")
        self.assertEqual(r2.rc, h.EXIT_OK, repr(r2))
        self.assertNotEqual(r2.last_line, token)

    def test_init_refuses_existing_node(self):
        self.init()
        with open(os.path.join(self.dir, "identity.key"), "rb") as f:
            key = f.read()
        r = h.run("init", "--dir", self.dir, "--name", "cert-b")
        self.assertEqual(r.rc, h.EXIT_EXISTS, repr(r))
        self.assertTrue(r.err.strip(), repr(r))
        with open(os.path.join(self.dir, "identity.key"), "rb") as f:
            self.assertEqual(f.read(), key, "the existing key was touched")
        w = self.cli("whoami")
        self.assertIn("cert-a", w.out)

    def test_init_needs_a_valid_name(self):
        r = h.run("init", "--dir", self.dir)
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        for bad in ("", "has:colon", "new\nline", "x" * 65):
            with self.subTest(name=bad):
                r = h.run("init", "--dir", self.dir, "--name", bad)
                self.assertIn(r.rc, (h.EXIT_USAGE, h.EXIT_ERROR), repr(r))
                self.assertFalse(os.path.exists(os.path.join(self.dir,
                    "identity.key")))

    def test_whoami(self):
        self.init(name="cert-whoami")
        r = self.cli("whoami")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("cert-whoami", r.out)
        keys = [l.split(": ", 1)[1] for l in r.out.splitlines()
                if l.startswith("public key: ")]
        self.assertEqual(len(keys), 1, "one public key line: %r" % r)
        self.assertTrue(b64_32(keys[0]), r)
        # The log's verifier key is named by the origin and embeds it.
        vk = [l.split(": ", 1)[1] for l in r.out.splitlines()
              if l.startswith("log key: ")]
        self.assertEqual(len(vk), 1, r)
        self.assertIn("+", vk[0])
        # The party's STIX identity and the default TLP.
        ids = [l.split(": ", 1)[1] for l in r.out.splitlines()
               if l.startswith("identity: ")]
        self.assertEqual(ids, [h.identity_of(keys[0])], r)
        self.assertIn("default tlp: amber\n", r.out)
        # Stable across runs.
        self.assertEqual(self.cli("whoami").out, r.out)

    def test_commands_on_missing_node_are_not_found(self):
        for args in (["whoami"], ["token", "issue", "x"],
                ["collection", "list"], ["agreement", "list"],
                ["policy", "who", "--object", "indicator--x"],
                ["party", "add", "p", "--key", h.ed25519_key(0)]):
            with self.subTest(args=args):
                r = self.cli(*args)
                self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
                self.assertIn(self.dir, r.err, "name the directory")
        self.assertFalse(os.path.exists(self.dir))

    def test_party_add(self):
        self.init()
        # A real key: the other node's own public key, from its whoami.
        other = os.path.join(self.tmp, "other")
        self.init(d=other, name="cert-b")
        who = h.run("whoami", "--dir", other)
        key = [w for w in who.out.split() if b64_32(w)][0]
        r = self.cli("party", "add", "cert-b", "--key", key)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        r = self.cli("party", "add", "cert-b", "--key", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_EXISTS, repr(r))
        r = self.cli("party", "add", "cert-a", "--key", h.ed25519_key(1))
        self.assertEqual(r.rc, h.EXIT_EXISTS, "the node's own name: %r" % r)
        for bad in ("not base64 at all!", base64.b64encode(b"x" * 31).decode(),
                base64.b64encode(b"x" * 33).decode(), "",
                base64.b64encode(b"x" * 64).decode()):
            with self.subTest(key=bad):
                r = self.cli("party", "add", "cert-c", "--key", bad)
                self.assertIn(r.rc, (h.EXIT_ERROR, h.EXIT_USAGE), repr(r))
                self.assertTrue(r.err.strip(), repr(r))
        r = self.cli("party", "add", "cert-c")
        self.assertEqual(r.rc, h.EXIT_USAGE, "missing --key: %r" % r)
        # cert-c was never added: issuing it a token fails.
        r = self.cli("token", "issue", "cert-c")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))

    def test_token_issue(self):
        admin = self.init().last_line
        self.assertEqual(self.cli("party", "add", "cert-b", "--key",
            h.ed25519_key(2)).rc, 0)
        t1 = self.cli("token", "issue", "cert-b")
        t2 = self.cli("token", "issue", "cert-b")
        self.assertEqual(t1.rc, h.EXIT_OK, repr(t1))
        self.assertEqual(t2.rc, h.EXIT_OK, repr(t2))
        self.assertRegex(t1.last_line, r"^\S{20,}$")
        self.assertEqual(len({t1.last_line, t2.last_line, admin}), 3)
        r = self.cli("token", "issue", "nobody")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        r = self.cli("token", "issue")
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))

    def test_collection_add_list(self):
        self.init()
        r = self.cli("collection", "add", "--title", "Energy sector")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        c1 = r.last_line
        self.assertRegex(c1, h.UUID_RE)
        fixed = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
        r = self.cli("collection", "add", "--title", "Fixed id", "--id", fixed,
            "--description", "Indicators about the grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual(r.last_line, fixed)
        r = self.cli("collection", "add", "--title", "Again", "--id", fixed)
        self.assertEqual(r.rc, h.EXIT_EXISTS, repr(r))
        r = self.cli("collection", "add", "--title", "Bad", "--id",
            "not-a-uuid")
        self.assertIn(r.rc, (h.EXIT_ERROR, h.EXIT_USAGE), repr(r))
        r = self.cli("collection", "add")
        self.assertEqual(r.rc, h.EXIT_USAGE, "missing --title: %r" % r)

        r = self.cli("collection", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        for want in (c1, fixed, "Energy sector", "Fixed id"):
            self.assertIn(want, r.out)
        self.assertNotIn("Again", r.out)
        self.assertNotIn("Bad", r.out)

        # Per-party grants are gone: access comes from agreements.
        self.assertEqual(self.cli("party", "add", "cert-b", "--key",
            h.ed25519_key(3)).rc, 0)
        r = self.cli("collection", "grant", c1, "cert-b", "--read")
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertIn("agreement", r.err)

    def test_serve_refuses_plaintext_off_loopback(self):
        self.init()
        for listen in ("0.0.0.0:0", "[::]:0"):
            with self.subTest(listen=listen):
                r = self.cli("serve", "--no-tls", "--listen", listen,
                    timeout=10)
                # timeout: it started serving instead of refusing.
                self.assertIsInstance(r.rc, int, repr(r))
                self.assertIn(r.rc, (h.EXIT_ERROR, h.EXIT_USAGE), repr(r))
                self.assertNotIn("serving", r.out)
                self.assertTrue(r.err.strip(), repr(r))

    def test_serve_on_missing_node(self):
        r = self.cli("serve", "--listen", "127.0.0.1:0")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))


if __name__ == "__main__":
    unittest.main()
