"""Agreements on a node, through the command line: `entente agreement
install|list|show|terminate`, `entente policy explain|who`, `collection add
--name`, and what whoami and init say for agreements (docs/cli.md,
docs/agreements.md).

Every refusal must be named on stderr (FAIL lines) and leave nothing
installed, which `agreement list --json` checks after each.  Agreements are
drafted and signed with the binary itself; the other parties sign with the
RFC 8032 test keys (harness.key_dir).
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
import unittest

import harness as h

ID_RE = re.compile(r"agreement--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}")

# Party B (test key 1) and party C (test key 2); the node is party A.
B = ("cert-b", 1)
C = ("cert-c", 2)

SHARES = [
    "from=SELF,to=cert-b,types=indicator+malware,collections=grid,"
    "tlp=amber,onward=none",
    "from=cert-b,to=SELF,types=*,labels=energy+ics,collections=grid+ot,"
    "tlp=green,onward=parties",
]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)


def signed_hash(doc):
    """What the parties sign: SHA-256 of the RFC 8785 form without
    signatures (for these documents, of strings and small integers only,
    Python's sorted compact dump is that form)."""
    d = {k: v for k, v in doc.items() if k != "signatures"}
    text = json.dumps(d, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AgreementCliTest(unittest.TestCase):

    start_server = False

    def setUp(self):
        self.node = h.Node("cert-a", start=self.start_server)
        self.me = self.node.whoami()

    def tearDown(self):
        self.node.close()

    # -- helpers

    def cli(self, *args):
        return self.node.cli(*args)

    def installed(self):
        r = self.cli("agreement", "list", "--json")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return json.loads(r.out)["agreements"]

    def make(self, shares=SHARES, others=(B,), **kw):
        return self.node.make_agreement(list(others), list(shares), **kw)

    def install(self, path):
        r = self.cli("agreement", "install", path)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return r

    def assert_refused(self, path, *patterns):
        """install of path fails with exit 1, names each pattern in a FAIL
        line on stderr, and installs nothing."""
        before = self.installed()
        r = self.cli("agreement", "install", path)
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        fails = [l for l in r.err.splitlines() if l.startswith("FAIL ")]
        self.assertTrue(fails, "no FAIL line: %r" % r)
        for pat in patterns:
            self.assertTrue(any(re.search(pat, l) for l in fails),
                "no FAIL line matches %r: %r" % (pat, r))
        self.assertEqual(r.out.strip(), "", "nothing on stdout: %r" % r)
        self.assertEqual(self.installed(), before, "a refused file changed "
            "what is installed")
        return r

    def sign_as(self, path, key_index):
        r = h.run("agreement", "sign", path, "--dir",
            h.key_dir(self.node.tmp, key_index))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))

    # -- install, list, show

    def test_install_list_show(self):
        path = self.make(retention="P30D", extra=["--acknowledge-within",
            "PT4H", "--answer-within", "P3D", "--protected",
            "party=cert-a,cidrs=192.0.2.0/24,sectors=energy,pledge=We will "
            "not attack, or help attack, these networks."])
        doc = load(path)
        r = self.install(path)
        self.assertIn("installed %s version 1" % doc["id"], r.out)
        self.assertNotIn("replaces", r.out)
        # grid and ot are new on this node.
        self.assertIn("collections created: 2", r.out)
        self.assertRegex(r.out, r"log leaf: \d+")

        colls = self.cli("collection", "list")
        self.assertEqual(colls.rc, h.EXIT_OK, repr(colls))
        names = [l.split()[1] for l in colls.out.splitlines() if l.strip()]
        self.assertEqual(sorted(names), ["grid", "ot"], repr(colls))

        # list, for people and for scripts
        r = self.cli("agreement", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        lines = [l for l in r.out.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, repr(r))
        self.assertTrue(lines[0].startswith("%s v1: in force" % doc["id"]),
            repr(r))
        for want in ("Test agreement", "cert-a", "cert-b"):
            self.assertIn(want, lines[0])
        (e,) = self.installed()
        self.assertEqual(e["id"], doc["id"])
        self.assertEqual(e["version"], 1)
        self.assertEqual(e["title"], "Test agreement")
        self.assertEqual(e["parties"], ["cert-a", "cert-b"])
        self.assertEqual(e["state"], "in force")
        self.assertIsNone(e["terminated"])
        self.assertEqual(h.ts_us(e["valid_from"]), h.ts_us(doc["valid_from"]))
        self.assertEqual(h.ts_us(e["valid_until"]),
            h.ts_us(doc["valid_until"]))
        self.assertLessEqual(abs(h.ts_us(e["installed"]) - h.now_us()),
            300 * 1000000)

        # show, for people
        r = self.cli("agreement", "show", doc["id"])
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        out = r.out
        self.assertIn("title: Test agreement", out)
        self.assertIn("hash: %s" % signed_hash(doc), out)
        self.assertIn("state: in force", out)
        for key in (self.me["public_key"], h.ed25519_key(1)):
            self.assertIn("key: %s" % key, out)
            self.assertIn("identity: %s" % h.identity_of(key), out)
        self.assertIn("contact: mailto:soc@cert-b.example", out)
        self.assertIn("share[0]: cert-a gives cert-b objects of type "
            "indicator, malware in collection grid, up to TLP:amber; "
            "onward none", out)
        self.assertIn("share[1]: cert-b gives cert-a objects of any type "
            "labelled energy or ics in collections grid, ot, up to "
            "TLP:green; onward parties", out)
        self.assertIn("assistance: acknowledge within PT4H, answer within "
            "P3D", out)
        self.assertIn("networks 192.0.2.0/24", out)
        self.assertIn("pledge: We will not attack", out)
        self.assertIn("kept for P30D", out)
        self.assertIn("termination: none", out)

        # show, for scripts
        r = self.cli("agreement", "show", doc["id"], "--json")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        j = json.loads(r.out)
        self.assertEqual(j["agreement"], doc)
        self.assertEqual(j["hash"], signed_hash(doc))
        self.assertEqual(j["state"], "in force")
        self.assertIsNone(j["terminated"])
        self.assertIsNone(j["termination"])
        self.assertEqual(j["installed"], e["installed"])

        # --at: the state at another instant
        r = self.cli("agreement", "show", doc["id"], "--json", "--at",
            h.fmt_ts(h.ts_us(doc["valid_until"]) + 1))
        self.assertEqual(json.loads(r.out)["state"], "expired", repr(r))
        r = self.cli("agreement", "list", "--json", "--at",
            h.fmt_ts(h.ts_us(doc["valid_from"]) - 1))
        self.assertEqual(json.loads(r.out)["agreements"][0]["state"],
            "not yet valid", repr(r))

        r = self.cli("agreement", "show",
            "agreement--00000000-0000-4000-8000-000000000000")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        self.assertIn("not installed", r.err)

    def test_install_json(self):
        path = self.make()
        r = self.cli("agreement", "install", path, "--json")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        j = json.loads(r.out)
        self.assertEqual((j["ok"], j["kind"], j["id"], j["version"],
            j["replaced"], j["collections_created"]),
            (True, "agreement", load(path)["id"], 1, None, 2))
        self.assertIsInstance(j["leaf"], int)
        r = self.cli("agreement", "install", path, "--json")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        j = json.loads(r.out)
        self.assertFalse(j["ok"])
        self.assertTrue(any("already installed" in p for p in j["problems"]),
            repr(r))

    def test_nothing_installed(self):
        r = self.cli("agreement", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("no agreement is installed", r.out)
        self.assertEqual(self.installed(), [])
        r = self.cli("agreement", "install", os.path.join(self.node.tmp,
            "no-such-file.json"))
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        r = self.cli("agreement", "install")
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))

    # -- refusals

    def test_refused_bad_signature(self):
        path = self.make()
        doc = load(path)
        doc["title"] = "Changed after signing"
        save(path, doc)
        self.assert_refused(path, r"does not verify")

    def test_refused_unknown_clause(self):
        path = self.make()
        doc = load(path)
        doc["clauses"]["arbitration"] = {"court": "The Hague"}
        save(path, doc)
        self.assert_refused(path, r"clauses\.arbitration: unknown clause")

    def test_refused_impossible_window(self):
        # draft refuses such a window, and so does sign: change a signed
        # document by hand.
        path = self.make()
        doc = load(path)
        doc["valid_until"] = h.fmt_ts(h.ts_us(doc["valid_from"]) - 1000000)
        save(path, doc)
        self.assert_refused(path, r"impossible window")

    def test_refused_malformed_key(self):
        path = self.make()
        doc = load(path)
        doc["parties"][1]["key"] = "AAAA"
        save(path, doc)
        self.assert_refused(path, r"parties\[1\]\.key.*malformed key")

    def test_refused_unsigned_party(self):
        path = self.make(signers=[])
        self.assert_refused(path, r"cert-b \(parties\[1\]\) has not signed")

    def test_refused_not_a_party(self):
        path = os.path.join(self.node.tmp, "b-and-c.json")
        r = h.run("agreement", "draft", "--title", "Between others",
            "--party", "cert-b,%s,mailto:b@b.example" % h.ed25519_key(1),
            "--party", "cert-c,%s,mailto:c@c.example" % h.ed25519_key(2),
            "--valid-from", h.fmt_ts(h.now_us() - 3600 * 1000000),
            "--valid-for", "P1Y", "--share", "from=cert-b,to=cert-c,"
            "types=*,collections=*,tlp=green,onward=none", "--out", path)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.sign_as(path, 1)
        self.sign_as(path, 2)
        r = h.run("agreement", "verify", path)
        self.assertEqual(r.rc, h.EXIT_OK, "valid between B and C: %r" % r)
        self.assert_refused(path, r"cert-a.*not a party")

    def test_refused_expired(self):
        path = self.make(valid_from_us=h.now_us() - 3 * 86400 * 1000000,
            valid_for="P1D")
        self.assert_refused(path, r"^FAIL expired")

    def test_refused_not_json(self):
        path = os.path.join(self.node.tmp, "garbage.json")
        with open(path, "w") as f:
            f.write("this is not JSON\n")
        self.assert_refused(path, r".")

    # -- versions

    def test_same_version_again_and_amendment(self):
        v1 = self.make()
        doc1 = load(v1)
        self.install(v1)
        self.assert_refused(v1, r"version 1 is already installed")

        v2 = os.path.join(self.node.tmp, "v2.json")
        r = self.cli("agreement", "draft", "--amend", v1, "--title",
            "Test agreement, amended", "--out", v2)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        # Signed by this node only: refused, version 1 stays.
        self.assertEqual(self.cli("agreement", "sign", v2).rc, h.EXIT_OK)
        self.assert_refused(v2, r"cert-b .* has not signed")
        self.sign_as(v2, 1)
        r = self.install(v2)
        self.assertIn("installed %s version 2 (replaces version 1)" %
            doc1["id"], r.out)
        self.assertIn("collections created: 0", r.out)
        (e,) = self.installed()
        self.assertEqual((e["id"], e["version"], e["title"]),
            (doc1["id"], 2, "Test agreement, amended"))
        # Going back is refused too.
        self.assert_refused(v1, r"version 2 is already installed")

    # -- terminations

    def test_terminate(self):
        path = self.make()
        aid = load(path)["id"]
        self.install(path)
        r = self.cli("agreement", "terminate", aid)
        self.assertEqual(r.rc, h.EXIT_USAGE, "--reason is required: %r" % r)
        out = os.path.join(self.node.tmp, "term.json")
        r = self.cli("agreement", "terminate", aid, "--reason",
            "The exchange moves to the national CERT.", "--out", out)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertRegex(r.out, r"terminated %s version 1 at \S+ by cert-a"
            % aid)
        self.assertIn("reason: The exchange moves to the national CERT.",
            r.out)
        rec = load(out)
        self.assertEqual((rec["terminates"], rec["version"], rec["party"]),
            (aid, 1, self.me["public_key"]))
        # The record verifies, against the agreement too.
        r = h.run("agreement", "verify", out, "--agreement", path)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))

        (e,) = self.installed()
        self.assertEqual(e["state"], "terminated")
        self.assertEqual(e["terminated"], rec["time"])
        r = self.cli("agreement", "list")
        self.assertIn("terminated %s" % rec["time"], r.out)
        r = self.cli("agreement", "show", aid, "--json")
        j = json.loads(r.out)
        self.assertEqual(j["state"], "terminated")
        self.assertEqual(j["termination"], rec)
        r = self.cli("agreement", "show", aid)
        self.assertRegex(r.out, r"termination: at %s by cert-a" %
            re.escape(rec["time"]))

        r = self.cli("agreement", "terminate", aid, "--reason", "again")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("already terminated", r.err)
        self.assertEqual(self.installed(), [e])
        r = self.cli("agreement", "terminate",
            "agreement--00000000-0000-4000-8000-000000000000", "--reason",
            "x")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        self.assertIn("not installed", r.err)

    def test_termination_by_the_other_party(self):
        path = self.make()
        aid = load(path)["id"]
        # Not installed yet: its termination is refused.
        term = os.path.join(self.node.tmp, "term-b.json")
        kd = h.key_dir(self.node.tmp, 1)
        at = h.now_us() - 60 * 1000000
        r = h.run("agreement", "terminate-draft", path, "--dir", kd,
            "--reason", "cert-b withdraws.", "--at", h.fmt_ts(at),
            "--out", term)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        # Unsigned: refused.
        self.install(path)
        self.assert_refused(term, r"signature")
        (e,) = self.installed()
        self.assertEqual(e["state"], "in force")
        self.sign_as(term, 1)
        r = self.install(term)
        self.assertIn("installed the termination of %s version 1" % aid,
            r.out)
        (e,) = self.installed()
        self.assertEqual(e["state"], "terminated")
        self.assertEqual(h.ts_us(e["terminated"]), at)
        r = self.cli("agreement", "show", aid)
        self.assertRegex(r.out, r"termination: at \S+ by cert-b \(%s\)" %
            re.escape(h.ed25519_key(1)))
        self.assertIn("reason: cert-b withdraws.", r.out)
        # A second record is refused.
        self.assert_refused(term, r"already terminated")

    def test_termination_of_uninstalled_agreement(self):
        path = self.make()
        term = os.path.join(self.node.tmp, "term.json")
        kd = h.key_dir(self.node.tmp, 1)
        r = h.run("agreement", "terminate-draft", path, "--dir", kd,
            "--reason", "never mind", "--out", term)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.sign_as(term, 1)
        self.assert_refused(term, r"not installed")

    # -- whoami, init

    def test_whoami_identity_and_default_tlp(self):
        self.assertEqual(self.me["identity"],
            h.identity_of(self.me["public_key"]))
        self.assertEqual(self.me["default_tlp"], "amber")
        r = self.cli("whoami")
        self.assertIn("identity: %s\n" % self.me["identity"], r.out)
        self.assertIn("default tlp: amber\n", r.out)

        tmp = tempfile.mkdtemp(prefix="entente-tlp-")
        try:
            d = os.path.join(tmp, "n")
            r = h.run("init", "--dir", d, "--name", "cert-x",
                "--default-tlp", "amber+strict")
            self.assertEqual(r.rc, h.EXIT_OK, repr(r))
            j = json.loads(h.run("whoami", "--dir", d, "--json").out)
            self.assertEqual(j["default_tlp"], "amber+strict")
            self.assertEqual(j["identity"], h.identity_of(j["public_key"]))
            d2 = os.path.join(tmp, "n2")
            for bad in ("white", "AMBER", "", "amber+"):
                r = h.run("init", "--dir", d2, "--name", "cert-y",
                    "--default-tlp", bad)
                self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
                self.assertFalse(os.path.exists(d2))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- collections

    def test_collection_add_name_and_list(self):
        r = self.cli("collection", "add", "--title", "Grid threats",
            "--name", "grid-threats")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        c1 = r.last_line
        self.assertRegex(c1, h.UUID_RE)
        r = self.cli("collection", "add", "--title", "Unnamed")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        c2 = r.last_line
        r = self.cli("collection", "add", "--title", "Again", "--name",
            "grid-threats")
        self.assertEqual(r.rc, h.EXIT_EXISTS, repr(r))
        for bad in ("has space", "", "x" * 65, "slash/no", "ümlaut"):
            r = self.cli("collection", "add", "--title", "Bad", "--name", bad)
            self.assertEqual(r.rc, h.EXIT_USAGE, "%r: %r" % (bad, r))
        r = self.cli("collection", "list")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        rows = {l.split()[0]: l.split() for l in r.out.splitlines()
            if l.strip()}
        self.assertEqual(set(rows), {c1, c2}, repr(r))
        self.assertEqual(rows[c1][1], "grid-threats")
        self.assertEqual(rows[c2][1], c2, "the default name is the id")
        self.assertNotIn("Again", r.out)
        self.assertNotIn("Bad", r.out)
        # Installing an agreement that lists grid-threats creates nothing.
        path = self.make(shares=["from=SELF,to=cert-b,types=*,"
            "collections=grid-threats,tlp=green,onward=none"])
        r = self.install(path)
        self.assertIn("collections created: 0", r.out)
        # Per-party grants are gone.
        r = self.cli("collection", "grant", c1, "cert-b", "--read")
        self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
        self.assertIn("agreement", r.err)

    def test_help(self):
        for args in (["agreement", "--help"], ["policy", "--help"],
                ["agreement", "install", "--help"],
                ["policy", "explain", "--help"]):
            r = h.run(*args)
            self.assertEqual(r.rc, h.EXIT_OK, repr(r))
            self.assertIn("usage", r.out)
        r = h.run("agreement", "--help")
        for sub in ("install", "list", "show", "terminate"):
            self.assertIn("entente agreement %s" % sub, r.out)


class PolicyCliTest(unittest.TestCase):
    """policy explain and who on objects posted over TAXII."""

    def setUp(self):
        self.node = h.Node("cert-a")
        self.me = self.node.whoami()
        r = self.node.cli("collection", "add", "--title", "Grid", "--name",
            "grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.grid = r.last_line
        r = self.node.cli("collection", "add", "--title", "Other", "--name",
            "other")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.other = r.last_line
        self.node.add_party("cert-b", h.ed25519_key(1))
        self.node.add_party("cert-c", h.ed25519_key(2))
        self.ind = h.make_indicator(1)
        self.node.post_objects(self.grid, [self.ind])
        self.node.post_objects(self.other, [self.ind])

    def tearDown(self):
        self.node.close()

    def cli(self, *args):
        return self.node.cli(*args)

    def explain(self, party, *extra):
        return self.cli("policy", "explain", "--object", self.ind["id"],
            "--party", party, *extra)

    def install_bc(self):
        """An agreement with cert-b: cert-a gives it indicators in grid."""
        path = self.node.make_agreement([B], ["from=SELF,to=cert-b,"
            "types=indicator,collections=grid,tlp=amber,onward=none"])
        r = self.cli("agreement", "install", path)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return load(path)["id"]

    def test_nothing_installed(self):
        r = self.explain("cert-b")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("no agreement is installed", r.out)
        self.assertRegex(r.out, r"(?m)^DENY grid ")
        self.assertNotIn("ALLOW", r.out)
        r = self.cli("policy", "who", "--object", self.ind["id"])
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("no agreement is installed", r.out)
        self.assertIn("nobody", r.out)

    def test_explain_and_who(self):
        aid = self.install_bc()
        ver = h.fmt_ts(h.ts_us(self.ind["modified"]))

        r = self.explain("cert-b")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("ALLOW grid %s: share %s v1 share[0]\n" % (ver, aid),
            r.out)
        # The copy in "other" is not in the clause's collections.
        self.assertRegex(r.out, r"(?m)^DENY other %s:$" % re.escape(ver))
        self.assertRegex(r.out, r"(?m)^  %s v1 share\[0\]: .*collection"
            % aid)

        # By key, the same decisions.
        r2 = self.explain(h.ed25519_key(1))
        self.assertEqual(r2.rc, h.EXIT_OK, repr(r2))
        self.assertEqual([l for l in r2.out.splitlines()
            if l.startswith(("ALLOW", "DENY", "  "))],
            [l for l in r.out.splitlines()
            if l.startswith(("ALLOW", "DENY", "  "))])

        # cert-c is in no agreement: denied, with the reason.
        r = self.explain("cert-c", "--collection", "grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertRegex(r.out, r"(?m)^DENY grid %s:$" % re.escape(ver))
        self.assertNotRegex(r.out, r"(?m)^(ALLOW|DENY) other")
        reasons = [l for l in r.out.splitlines() if l.startswith("  ")]
        self.assertTrue(reasons, repr(r))
        self.assertNotIn("ALLOW", r.out)

        # The node's own party reads everything.
        r = self.explain("cert-a")
        self.assertRegex(r.out, r"(?m)^ALLOW grid %s: self$" %
            re.escape(ver))

        # After the agreement expires: denied, expired.
        r = self.explain("cert-b", "--at", "2099-01-01T00:00:00Z",
            "--collection", "grid")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertRegex(r.out, r"(?m)^DENY grid ")
        self.assertIn("expired", r.out)

        # JSON
        r = self.explain("cert-b", "--json")
        j = json.loads(r.out)
        self.assertEqual(j["object"], self.ind["id"])
        self.assertEqual(j["party"], {"name": "cert-b",
            "key": h.ed25519_key(1)})
        self.assertEqual(j["agreements"], 1)
        d = {x["collection"]: x for x in j["decisions"]}
        self.assertEqual(set(d), {"grid", "other"})
        self.assertTrue(d["grid"]["allowed"])
        self.assertEqual(d["grid"]["grant"]["kind"], "share")
        self.assertEqual(d["grid"]["grant"]["agreement"], aid)
        self.assertEqual(d["grid"]["grant"]["clause"], 0)
        self.assertIsNone(d["grid"]["grant"]["via"])
        self.assertEqual(d["grid"]["reasons"], [])
        self.assertFalse(d["other"]["allowed"])
        self.assertIsNone(d["other"]["grant"])
        self.assertTrue(d["other"]["reasons"])

        # who: exactly cert-b, in grid only
        r = self.cli("policy", "who", "--object", self.ind["id"])
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("grid %s: 1 party\n  cert-b %s: share %s v1 share[0]"
            % (ver, h.ed25519_key(1), aid), r.out)
        self.assertIn("other %s: 0 parties" % ver, r.out)
        self.assertNotIn("cert-c", r.out)
        r = self.cli("policy", "who", "--object", self.ind["id"], "--json",
            "--collection", "grid")
        j = json.loads(r.out)
        (c,) = j["collections"]
        self.assertEqual(c["collection"], "grid")
        self.assertEqual([(x["name"], x["key"], x["grant"]["agreement"])
            for x in c["recipients"]], [("cert-b", h.ed25519_key(1), aid)])

        # Terminated: nobody.
        r = self.cli("agreement", "terminate", aid, "--reason", "done")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        r = self.cli("policy", "who", "--object", self.ind["id"], "--json")
        j = json.loads(r.out)
        self.assertEqual([c["recipients"] for c in j["collections"]],
            [[], []])

    def test_errors(self):
        self.install_bc()
        r = self.explain("nobody")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        self.assertIn("nobody", r.err)
        r = self.cli("policy", "explain", "--object",
            "indicator--00000000-0000-4000-8000-000000000000", "--party",
            "cert-b")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("no object indicator--00000000-0000-4000-8000-"
            "000000000000 on this node", r.err)
        r = self.cli("policy", "who", "--object",
            "indicator--00000000-0000-4000-8000-000000000000")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        r = self.explain("cert-b", "--collection", "no-such")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        for args in (["policy"], ["policy", "explain", "--object", "x"],
                ["policy", "who"], ["policy", "frob", "--object", "x"],
                ["policy", "explain", "--object", "x", "--party", "y",
                 "--at", "yesterday"]):
            r = self.cli(*args)
            self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))


if __name__ == "__main__":
    unittest.main()
