"""`entente export`: indicators loaded over TAXII come out as Suricata
datasets and rules, a Zeek Intel file, plain lists, CSV, and the exchanged
suricata/snort/yara/sigma rules (docs/export.md).

Only usable indicators are exported (latest version, not revoked, inside
valid_from/valid_until); STIX patterns outside the supported subset are
listed on stderr with the reason.  Every file is compared byte for byte,
and a second export must give the same bytes.
"""

import base64
import os
import shutil
import tempfile
import unittest

import harness as h

T0 = "2024-01-01T00:00:00.000Z"
T1 = "2024-02-01T00:00:00.000Z"
FUTURE = "2099-01-01T00:00:00.000Z"


def iid(n):
    return "indicator--00000000-0000-4000-8000-%012d" % n


def ind(n, pattern, ptype="stix", name=None, modified=T0, **over):
    o = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": iid(n),
        "created": T0,
        "modified": modified,
        "pattern": pattern,
        "pattern_type": ptype,
        "valid_from": T0,
    }
    if name is not None:
        o["name"] = name
    o.update(over)
    return o


SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
MD5 = "44d88612fea8a8f36de82e1278abb02f"
SHA1 = "3395856ce81f2b7382dee72602f798b642f14140"

SIGMA = ("title: Evil DNS lookup\n"
    "logsource:\n"
    "  category: dns\n"
    "detection:\n"
    "  selection:\n"
    "    query: evil.example.com\n"
    "  condition: selection\n")
YARA = "rule evil_dropper {\n  strings:\n    $a = \"evil\"\n  condition:\n    $a\n}\n"
SURICATA = ('alert dns any any -> any any (msg:"evil lookup"; dns.query; '
    'content:"evil.example.com"; nocase; sid:1000001; rev:1;)')
SNORT = ('alert tcp any any -> any 445 (msg:"evil smb"; content:"|ff|SMB"; '
    'sid:1000002; rev:1;)')

# (collection, object) in the order they are posted.
C1_OBJECTS = [
    ind(1, "[domain-name:value = 'Evil.Example.COM'] OR [url:value = "
        "'http://evil.example.com/gate.php?id=1']", name="C2 server"),
    ind(2, "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value ISSUBSET "
        "'203.0.113.77/24']", name="Scanners"),
    ind(3, "[file:hashes.'SHA-256' = '%s' OR file:hashes.MD5 = '%s' OR "
        "file:hashes.'SHA-1' = '%s']" % (SHA256.upper(), MD5, SHA1),
        name="Dropper, \"stage 1\""),
    ind(4, "[ipv6-addr:value = '2001:DB8::BAD'] OR [email-addr:value = "
        "'ceo@phish.example.org']"),
    # Revoked in its latest version.
    ind(5, "[domain-name:value = 'revoked.example.com']", name="v1"),
    ind(5, "[domain-name:value = 'revoked.example.com']", name="v2",
        modified=T1, revoked=True),
    # Expired.
    ind(6, "[domain-name:value = 'expired.example.com']",
        valid_until=T1),
    # Not yet valid.
    ind(7, "[domain-name:value = 'future.example.com']", valid_from=FUTURE),
    # Outside the supported subset.
    ind(8, "[ipv4-addr:value = '192.0.2.1' AND domain-name:value = "
        "'a.example.com']", name="both at once"),
    ind(9, "[process:name = 'evil.exe']"),
    # Detection content.
    ind(10, SURICATA, ptype="suricata", name="Suricata rule"),
    ind(11, SNORT, ptype="snort", name="Snort rule"),
    ind(12, YARA, ptype="yara", name="YARA rule"),
    ind(13, "---\n" + SIGMA, ptype="sigma", name="Sigma rule"),
    ind(14, "rule revoked { condition: true }", ptype="yara", revoked=True),
    ind(15, "title: expired\n", ptype="sigma", valid_until=T1),
    # Another version of 2 in the other collection is older: no effect.
]
C2_OBJECTS = [
    # The same indicator in a second collection counts once.
    ind(1, "[domain-name:value = 'Evil.Example.COM'] OR [url:value = "
        "'http://evil.example.com/gate.php?id=1']", name="C2 server"),
    ind(16, "[domain-name:value = 'b.example.net']", name="Second"),
]


def b64(s):
    return base64.b64encode(s.encode()).decode() + "\n"


EXPECT = {
    "plain": {
        "entente-ipv4.txt": "198.51.100.7\n",
        "entente-ipv4-cidr.txt": "203.0.113.0/24\n",
        "entente-ipv6.txt": "2001:db8::bad\n",
        "entente-ipv6-cidr.txt": "",
        "entente-domain.txt": "b.example.net\nevil.example.com\n",
        "entente-url.txt": "http://evil.example.com/gate.php?id=1\n",
        "entente-email.txt": "ceo@phish.example.org\n",
        "entente-md5.txt": MD5 + "\n",
        "entente-sha1.txt": SHA1 + "\n",
        "entente-sha256.txt": SHA256 + "\n",
    },
    "csv": {
        "entente.csv":
            "type,value,indicator_id,indicator_name\r\n"
            "ipv4,198.51.100.7,%s,Scanners\r\n" % iid(2) +
            "ipv4-cidr,203.0.113.0/24,%s,Scanners\r\n" % iid(2) +
            "ipv6,2001:db8::bad,%s,\r\n" % iid(4) +
            "domain,b.example.net,%s,Second\r\n" % iid(16) +
            "domain,evil.example.com,%s,C2 server\r\n" % iid(1) +
            "url,http://evil.example.com/gate.php?id=1,%s,C2 server\r\n" %
            iid(1) +
            "email,ceo@phish.example.org,%s,\r\n" % iid(4) +
            "md5,%s,%s,\"Dropper, \"\"stage 1\"\"\"\r\n" % (MD5, iid(3)) +
            "sha1,%s,%s,\"Dropper, \"\"stage 1\"\"\"\r\n" % (SHA1, iid(3)) +
            "sha256,%s,%s,\"Dropper, \"\"stage 1\"\"\"\r\n" % (SHA256,
            iid(3)),
    },
    "zeek": {
        "entente-intel.txt":
            "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
            "198.51.100.7\tIntel::ADDR\t%s\tScanners\n" % iid(2) +
            "203.0.113.0/24\tIntel::SUBNET\t%s\tScanners\n" % iid(2) +
            "2001:db8::bad\tIntel::ADDR\t%s\t-\n" % iid(4) +
            "b.example.net\tIntel::DOMAIN\t%s\tSecond\n" % iid(16) +
            "evil.example.com\tIntel::DOMAIN\t%s\tC2 server\n" % iid(1) +
            "evil.example.com/gate.php?id=1\tIntel::URL\t%s\tC2 server\n" %
            iid(1) +
            "ceo@phish.example.org\tIntel::EMAIL\t%s\t-\n" % iid(4) +
            "%s\tIntel::FILE_HASH\t%s\tDropper, \"stage 1\"\n" % (MD5,
            iid(3)) +
            "%s\tIntel::FILE_HASH\t%s\tDropper, \"stage 1\"\n" % (SHA1,
            iid(3)) +
            "%s\tIntel::FILE_HASH\t%s\tDropper, \"stage 1\"\n" % (SHA256,
            iid(3)),
    },
    "suricata": {
        "entente-domains.lst": b64("b.example.net") + b64("evil.example.com"),
        "entente-ipv4.lst": "198.51.100.7\n",
        "entente-ipv6.lst": "2001:db8::bad\n",
        "entente-md5.lst": MD5 + "\n",
        "entente-sha1.lst": SHA1 + "\n",
        "entente-sha256.lst": SHA256 + "\n",
        "entente.rules":
            "# entente export suricata: rules for Suricata 7 or later.\n"
            "# The dataset and hash list files are loaded relative to this "
            "file.\n"
            "alert dns any any -> any any (msg:\"entente listed domain "
            "(dns.query)\"; dns.query; to_lowercase; dataset:isset,"
            "entente-domains, type string, load entente-domains.lst; "
            "sid:9100001; rev:1;)\n"
            "alert tls any any -> any any (msg:\"entente listed domain "
            "(tls.sni)\"; tls.sni; to_lowercase; dataset:isset,"
            "entente-domains, type string, load entente-domains.lst; "
            "sid:9100002; rev:1;)\n"
            "alert http any any -> any any (msg:\"entente listed domain "
            "(http.host)\"; http.host; dataset:isset,entente-domains, type "
            "string, load entente-domains.lst; sid:9100003; rev:1;)\n"
            "alert ip any any -> any any (msg:\"entente listed IPv4 "
            "source\"; ip.src; dataset:isset,entente-ipv4, type ipv4, load "
            "entente-ipv4.lst; sid:9100004; rev:1;)\n"
            "alert ip any any -> any any (msg:\"entente listed IPv4 "
            "destination\"; ip.dst; dataset:isset,entente-ipv4, type ipv4, "
            "load entente-ipv4.lst; sid:9100005; rev:1;)\n"
            "alert ip any any -> any any (msg:\"entente listed IPv6 "
            "source\"; ip.src; dataset:isset,entente-ipv6, type ip, load "
            "entente-ipv6.lst; sid:9100006; rev:1;)\n"
            "alert ip any any -> any any (msg:\"entente listed IPv6 "
            "destination\"; ip.dst; dataset:isset,entente-ipv6, type ip, "
            "load entente-ipv6.lst; sid:9100007; rev:1;)\n"
            "alert http any any -> any any (msg:\"entente listed file "
            "MD5\"; filemd5:entente-md5.lst; sid:9100008; rev:1;)\n"
            "alert http any any -> any any (msg:\"entente listed file "
            "SHA-1\"; filesha1:entente-sha1.lst; sid:9100009; rev:1;)\n"
            "alert http any any -> any any (msg:\"entente listed file "
            "SHA-256\"; filesha256:entente-sha256.lst; sid:9100010; "
            "rev:1;)\n"
            "alert ip 203.0.113.0/24 any <> any any (msg:\"entente listed "
            "network 203.0.113.0/24\"; metadata:entente_indicator %s; "
            "sid:9100011; rev:1;)\n" % iid(2) +
            "alert http any any -> any any (msg:\"entente listed URL\"; "
            "flow:established,to_server; http.host; content:\""
            "evil.example.com\"; bsize:16; http.uri.raw; content:\""
            "/gate.php?id=1\"; bsize:14; metadata:entente_indicator %s; "
            "sid:9100012; rev:1;)\n" % iid(1),
    },
    "rules": {
        "entente-suricata.rules": "# %s Suricata rule\n%s\n\n" % (iid(10),
            SURICATA),
        "entente-snort.rules": "# %s Snort rule\n%s\n\n" % (iid(11), SNORT),
        "entente-yara.yar": "// %s YARA rule\n%s\n" % (iid(12), YARA),
        "entente-sigma.yml": "---\n# %s Sigma rule\n%s" % (iid(13), SIGMA),
    },
}

# Indicators listed on stderr for the STIX formats, with their reasons.
SKIPPED = [
    (iid(8), "AND inside an observation is not supported"),
    (iid(9), "property process:name is not supported"),
]


class ExportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-export")
        cls.C1 = n.add_collection("Feeds")
        cls.C2 = n.add_collection("Partners")
        for o in C1_OBJECTS:
            st = n.post_objects(cls.C1, [o])
            assert st.get("success_count") == 1, st
        st = n.post_objects(cls.C2, C2_OBJECTS)
        assert st.get("success_count") == len(C2_OBJECTS), st
        # Exports read the database directly; the server may keep running.
        cls.tmp = tempfile.mkdtemp(prefix="entente-export-")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def export(self, fmt, out=None):
        out = out or os.path.join(self.tmp, fmt)
        r = self.node.cli("export", "--out", out, fmt)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        return r, out

    def files_of(self, out):
        got = {}
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name), "rb") as f:
                got[name] = f.read().decode("utf-8")
        return got

    def check_format(self, fmt):
        r, out = self.export(fmt)
        got = self.files_of(out)
        self.assertEqual(sorted(got), sorted(EXPECT[fmt]),
            "files written (no temporary file may be left)")
        for name, want in EXPECT[fmt].items():
            self.assertEqual(got[name], want, "%s/%s" % (fmt, name))
        # A second run gives the same bytes.
        r2, _ = self.export(fmt)
        self.assertEqual(self.files_of(out), got)
        self.assertEqual(r2.err, r.err)
        return r

    def check_skipped(self, r):
        for ident, why in SKIPPED:
            self.assertIn("skipped %s: %s" % (ident, why), r.err, repr(r))
        for n in (5, 6, 7):
            self.assertNotIn(iid(n), r.err + r.out,
                "unusable indicators are not exported nor listed")

    def test_plain(self):
        r = self.check_format("plain")
        self.check_skipped(r)
        self.assertIn("exported 10 values from 5 indicators", r.out, repr(r))

    def test_csv(self):
        self.check_skipped(self.check_format("csv"))

    def test_zeek(self):
        self.check_skipped(self.check_format("zeek"))

    def test_suricata(self):
        r = self.check_format("suricata")
        self.check_skipped(r)
        self.assertIn("1 e-mail address left out", r.err, repr(r))

    def test_rules(self):
        r = self.check_format("rules")
        self.assertNotIn("skipped", r.err, repr(r))
        self.assertNotIn("revoked", "".join(
            self.files_of(os.path.join(self.tmp, "rules")).values()))
        self.assertIn("exported 4 rules from 4 indicators", r.out, repr(r))

    def test_out_dir_created_and_files_replaced(self):
        out = os.path.join(self.tmp, "fresh", "dir")
        os.makedirs(os.path.dirname(out))
        with self.subTest("created"):
            self.export("plain", out)
            self.assertTrue(os.path.isfile(os.path.join(out,
                "entente-domain.txt")))
        # An old file is replaced, not appended to.
        with open(os.path.join(out, "entente-domain.txt"), "w") as f:
            f.write("stale.example.com\n")
        self.export("plain", out)
        with open(os.path.join(out, "entente-domain.txt")) as f:
            self.assertEqual(f.read(), EXPECT["plain"]["entente-domain.txt"])

    def test_usage_errors(self):
        for args in (["export"], ["export", "stix"], ["export", "csv",
                "zeek"], ["export", "--bogus", "csv"]):
            with self.subTest(args=args):
                r = self.node.cli(*args)
                self.assertEqual(r.rc, h.EXIT_USAGE, repr(r))
                self.assertIn("usage", r.err.lower(), repr(r))
        r = h.run("export", "--help", timeout=10)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("usage", r.out.lower(), repr(r))
        r = h.run("export", "csv", "--dir", os.path.join(self.tmp, "none"),
            "--out", self.tmp, timeout=10)
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))
        # The output path is a file.
        path = os.path.join(self.tmp, "a-file")
        with open(path, "w") as f:
            f.write("x")
        r = self.node.cli("export", "--out", path, "csv")
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))


if __name__ == "__main__":
    unittest.main()
