"""entente match: the corpus of tests/data/match with its exact expected
hits (decoys included), compressed input, standard input, threads, counts,
bad input, usage errors, --sightings end to end (the sightings come back
over TAXII), and an excerpt of the real indicator lists
(tests/data/indicators) against a generated log whose hits are counted
here independently."""

import ipaddress
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest
import uuid
import gzip

import harness as h

DATA = os.path.join(h.REPO_ROOT, "tests", "data", "match")
LISTS = os.path.join(h.REPO_ROOT, "tests", "data", "indicators")


def hits_of(out, keep_file=False):
    """The hit objects of match's stdout, file reduced to its basename."""
    hits = []
    for line in out.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        if not keep_file:
            o["file"] = os.path.basename(o["file"])
        hits.append(o)
    return hits


def read_exp(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return hits_of(f.read())


def without(hits, *keys):
    return [{k: v for k, v in x.items() if k not in keys} for x in hits]


class MatchCorpusTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-match")
        cls.coll = n.add_collection("Indicators")
        with open(os.path.join(DATA, "indicators.json"),
                encoding="utf-8") as f:
            cls.indicators = json.load(f)["objects"]
        st = n.post_objects(cls.coll, cls.indicators)
        assert st["success_count"] == len(cls.indicators), st
        cls.tmp = tempfile.mkdtemp(prefix="entente-match-")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def match(self, *args, timeout=120):
        return self.node.cli("match", *args, timeout=timeout)

    def test_text_exact(self):
        r = self.match(os.path.join(DATA, "text.log"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual(hits_of(r.out), read_exp("text.log.exp"))
        # The summary: lines, hits, lines with hits, usable indicators.
        self.assertIn("14 lines, 20 hits on 10 lines, 0 bad lines", r.err)
        self.assertIn("3 unsupported", r.err)
        self.assertIn("4 not usable now", r.err)

    def test_no_substring_hits(self):
        """The decoys of the corpus: nothing on lines 3, 12 and 13, and
        no hit value that is not a whole token of its line."""
        r = self.match(os.path.join(DATA, "text.log"))
        hits = hits_of(r.out)
        self.assertFalse([x for x in hits if x["line"] in (3, 12, 13)])
        with open(os.path.join(DATA, "text.log"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        for x in hits:
            text = lines[x["line"] - 1]
            if x["type"] in ("md5", "sha1", "sha256"):
                # A hash is a whole run of letters and digits.
                self.assertRegex(text, r"(^|[^A-Za-z0-9])" +
                    re.escape(x["value"]) + r"($|[^A-Za-z0-9])")
            else:
                self.assertRegex(text, r"(^|[^A-Za-z0-9._@-])" +
                    re.escape(x["value"]) + r"($|[^A-Za-z0-9_-])")

    def test_threads_and_compression(self):
        want = read_exp("text.log.exp")
        for args in (["--threads", "1"], ["--threads", "2"],
                ["--threads", "7"]):
            with self.subTest(args=args):
                r = self.match(*(args + [os.path.join(DATA, "text.log")]))
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))
                self.assertEqual(hits_of(r.out), want)
        for name in ("text.log.gz", "text.log.zst"):
            with self.subTest(name=name):
                r = self.match(os.path.join(DATA, name))
                self.assertEqual(r.rc, h.EXIT_OK, repr(r))
                self.assertEqual(without(hits_of(r.out), "file"),
                    without(want, "file"))
        # Several files in one run keep their order and names.
        r = self.match("--threads", "2", os.path.join(DATA, "text.log.zst"),
            os.path.join(DATA, "text.log"))
        got = hits_of(r.out)
        self.assertEqual([x["file"] for x in got],
            ["text.log.zst"] * len(want) + ["text.log"] * len(want))

    def test_stdin(self):
        with open(os.path.join(DATA, "text.log.gz"), "rb") as f:
            p = subprocess.run([h.BIN, "match", "--dir", self.node.dir, "-"],
                stdin=f, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        got = hits_of(p.stdout.decode())
        self.assertEqual(without(got, "file"),
            without(read_exp("text.log.exp"), "file"))
        self.assertEqual({x["file"] for x in got}, {"-"})

    def test_count(self):
        r = self.match("--count", os.path.join(DATA, "text.log"),
            os.path.join(DATA, "eve.json"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        rows = [json.loads(l) for l in r.out.splitlines()]
        self.assertEqual(len(rows), 2)
        self.assertEqual((rows[0]["lines"], rows[0]["hits"],
            rows[0]["lines_with_hits"], rows[0]["bad_lines"]), (14, 20, 10, 0))
        self.assertEqual((rows[1]["lines"], rows[1]["hits"],
            rows[1]["lines_with_hits"], rows[1]["bad_lines"]), (6, 10, 5, 1))

    def test_eve(self):
        """Suricata EVE through the format parsers: the same hits (field
        names belong to the parsers and are not compared)."""
        r = self.match(os.path.join(DATA, "eve.json"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual(without(hits_of(r.out), "field"),
            without(read_exp("eve.json.exp"), "field"))
        self.assertIn("1 bad lines", r.err)
        # Forcing the text format finds the same hits in the raw lines.
        r = self.match("--format", "text", os.path.join(DATA, "eve.json"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual({x["value"] for x in hits_of(r.out)},
            {x["value"] for x in read_exp("eve.json.exp")} - {
                "http://BAD.example/payload.exe"})

    def test_list_unsupported(self):
        r = self.match("--list-unsupported")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        got = [json.loads(l) for l in r.out.splitlines()]
        want = [json.loads(l) for l in open(os.path.join(DATA,
            "unsupported.exp"), encoding="utf-8")]
        self.assertEqual([x["id"] for x in got], [x["id"] for x in want])
        for x in got:
            self.assertTrue(len(x["reason"]) > 5, x)

    def test_bad_input(self):
        # Binary garbage: no crash, exit 0.
        garbage = os.path.join(self.tmp, "garbage.bin")
        rnd = random.Random(5)
        with open(garbage, "wb") as f:
            f.write(bytes(rnd.getrandbits(8) for _ in range(300000)))
            f.write(b"\nfrom 198.51.100.7\n")
        r = self.match(garbage)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("198.51.100.7", [x["value"] for x in hits_of(r.out)])
        # An overlong line is skipped and counted; numbering goes on.
        long = os.path.join(self.tmp, "long.log")
        with open(long, "wb") as f:
            f.write(b"evil.example first\n")
            f.write(b"x" * (1024 * 1024 + 10) + b" evil.example\n")
            f.write(b"then evil.example\n")
        r = self.match(long)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertEqual([x["line"] for x in hits_of(r.out)], [1, 3])
        self.assertIn("1 overlong lines skipped", r.err)
        # Truncated gzip: the lines before are checked, exit 1.
        cut = os.path.join(self.tmp, "cut.log.gz")
        body = b"".join(b"line %d evil.example\n" % i for i in range(20000))
        z = gzip.compress(body)
        with open(cut, "wb") as f:
            f.write(z[:len(z) // 2])
        r = self.match(cut)
        self.assertEqual(r.rc, h.EXIT_ERROR, repr(r))
        self.assertIn("ends too early", r.err)
        n = len(hits_of(r.out))
        self.assertTrue(0 < n < 20000, n)
        self.assertEqual([x["line"] for x in hits_of(r.out)],
            list(range(1, n + 1)))

    def test_usage_and_errors(self):
        for args, rc in (
                ([], h.EXIT_USAGE),
                (["--format", "nope", "x"], h.EXIT_USAGE),
                (["--threads", "0", "x"], h.EXIT_USAGE),
                (["--sightings", os.path.join(DATA, "text.log")],
                    h.EXIT_USAGE),
                (["--collection", self.coll, os.path.join(DATA, "text.log")],
                    h.EXIT_USAGE),
                (["--sightings", "--collection", "not-a-uuid", "x"],
                    h.EXIT_USAGE),
                (["--sightings", "--collection", str(uuid.UUID(int=7)),
                    os.path.join(DATA, "text.log")], h.EXIT_NOTFOUND),
                ([os.path.join(self.tmp, "missing.log")], h.EXIT_NOTFOUND),
                ([self.tmp], h.EXIT_ERROR)):
            with self.subTest(args=args):
                r = self.match(*args)
                self.assertEqual(r.rc, rc, repr(r))
                self.assertTrue(r.err.strip(), repr(r))
        r = h.run("match", "--help")
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        self.assertIn("usage", r.out)
        r = h.run("match", "--dir", os.path.join(self.tmp, "nonode"), "x")
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, repr(r))


class MatchSightingsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-sight")
        cls.coll = n.add_collection("Intel")
        cls.out_coll = n.add_collection("Sightings")
        with open(os.path.join(DATA, "indicators.json"),
                encoding="utf-8") as f:
            n.post_objects(cls.coll, json.load(f)["objects"])

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def test_sightings_end_to_end(self):
        n = self.node
        r = n.cli("match", "--sightings", "--collection", self.out_coll,
            os.path.join(DATA, "text.log"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        hits = hits_of(r.out)
        per_ind = {}
        for x in hits:
            for i in x["indicators"]:
                per_ind.setdefault(i, []).append(x["line"])
        self.assertIn("%d sightings stored" % len(per_ind), r.err)
        objs = n.fetch_all(self.out_coll)
        idents = [o for o in objs if o["type"] == "identity"]
        sights = [o for o in objs if o["type"] == "sighting"]
        self.assertEqual(len(idents), 1, objs)
        self.assertEqual(idents[0]["name"], "cert-sight")
        self.assertEqual(sorted(s["sighting_of_ref"] for s in sights),
            sorted(per_ind))
        times = {}
        with open(os.path.join(DATA, "text.log"), encoding="utf-8") as f:
            for i, line in enumerate(f.read().split("\n"), 1):
                m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", line)
                if m:
                    times[i] = h.ts_us(m.group(1))
        for s in sights:
            lines = per_ind[s["sighting_of_ref"]]
            self.assertEqual(s["count"], len(lines), s)
            self.assertEqual(s["where_sighted_refs"], [idents[0]["id"]])
            known = [times[l] for l in lines if l in times]
            self.assertTrue(known, s)
            self.assertEqual(h.ts_us(s["first_seen"]), min(known), s)
            self.assertEqual(h.ts_us(s["last_seen"]), max(known), s)
        # rivers.com: two indicators, two lines, two sightings.
        self.assertEqual(sum(1 for s in sights if s["count"] == 2 and
            s["sighting_of_ref"].endswith("000000000010")), 1)
        # A second run adds new sightings; the identity stays one object.
        r = n.cli("match", "--sightings", "--collection", self.out_coll,
            os.path.join(DATA, "text.log"))
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        objs = n.fetch_all(self.out_coll)
        self.assertEqual(sum(1 for o in objs if o["type"] == "identity"), 1)
        self.assertEqual(sum(1 for o in objs if o["type"] == "sighting"),
            2 * len(per_ind))
        # The node's own collection of indicators is untouched.
        self.assertFalse([o for o in n.fetch_all(self.coll)
            if o["type"] == "sighting"])


# -- The real lists

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_-]{1,63}\.)+[a-z0-9_-]*"
    r"[a-z][a-z0-9_-]*$")
PATH_RE = re.compile(r"^[A-Za-z0-9_/-]*$")


def read_list(name):
    with open(os.path.join(LISTS, name), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip()]


class MatchRealListsTest(unittest.TestCase):
    """The excerpt of real lists as STIX indicators, a generated log, and
    the expected hits counted here with Python's own means (sets of
    strings, ipaddress networks): every line must give exactly that."""

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-lists")
        cls.coll = n.add_collection("Lists")
        rng = random.Random(2024)
        ts = "2024-01-01T00:00:00.000Z"
        cls.domains, cls.ips, cls.nets, cls.urls, cls.hashes = (set(),
            set(), [], [], [])
        entries = []
        for name in ("mal_domains_maltrail.txt", "susp_domains_maltrail.txt"):
            for d in read_list(name):
                if DOMAIN_RE.match(d):
                    entries.append(("d", d, "[domain-name:value = '%s']" % d))
        for name in ("mal_ipv4_maltrail.txt", "mal_ipv4_ipsum.txt"):
            for v in read_list(name):
                entries.append(("i", v, "[ipv4-addr:value = '%s']" % v))
        for v in read_list("scanner_cidr4_maltrail.txt"):
            entries.append(("n", v, "[ipv4-addr:value ISSUBSET '%s']" % v))
        for v in read_list("benign_cidr6_misp.txt"):
            entries.append(("n", v, "[ipv6-addr:value ISSUBSET '%s']" % v))
        for v in read_list("mal_urls_maltrail.txt"):
            u = v if "://" in v else "http://" + v
            host, _, path = u.split("://", 1)[1].partition("/")
            if "'" in u or "\\" in u:
                continue
            entries.append(("u", u, "[url:value = '%s']" % u))
        for name, alg in (("mal_md5.txt", "MD5"), ("mal_sha1.txt", "SHA-1"),
                ("mal_sha256.txt", "SHA-256")):
            for v in read_list(name):
                entries.append(("h", v, "[file:hashes.'%s' = '%s']" % (
                    alg, v)))
        objs = []
        for i, (kind, value, pattern) in enumerate(entries):
            objs.append({"type": "indicator", "spec_version": "2.1",
                "id": "indicator--%s" % uuid.UUID(int=rng.getrandbits(128),
                version=4), "created": ts, "modified": ts,
                "pattern": pattern, "pattern_type": "stix",
                "valid_from": ts})
        refused = set()
        for chunk in h.chunks(list(zip(entries, objs)), 500):
            st = n.post_objects(cls.coll, [o for _, o in chunk])
            refused |= {f["id"] for f in st.get("failures", [])}
        r = n.cli("match", "--list-unsupported")
        assert r.rc == h.EXIT_OK, r
        refused |= {json.loads(l)["id"] for l in r.out.splitlines()}
        for (kind, value, _), o in zip(entries, objs):
            if o["id"] in refused:
                continue
            if kind == "d":
                cls.domains.add(value)
            elif kind == "i":
                cls.ips.add(ipaddress.ip_address(value))
            elif kind == "n":
                cls.nets.append(ipaddress.ip_network(value, strict=False))
            elif kind == "u":
                cls.urls.append(value)
            else:
                cls.hashes.append(value)
        cls.nets = list(set(cls.nets))
        cls.n_refused = len(refused)

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def domain_hits(self, d):
        d = d.lower()
        labels = d.split(".")
        return sum(1 for i in range(len(labels) - 1)
            if ".".join(labels[i:]) in self.domains)

    def ip_hits(self, a):
        a = ipaddress.ip_address(a)
        return (a in self.ips) + sum(1 for net in self.nets
            if net.version == a.version and a in net)

    def test_generated_log(self):
        rng = random.Random(99)
        benign = read_list("benign_top_domains_misp.txt")
        doms = sorted(self.domains)
        plantable = [u for u in self.urls
            if PATH_RE.match(u.split("://", 1)[1].partition("/")[2]) and
            DOMAIN_RE.match(u.split("://", 1)[1].partition("/")[0]) and
            "." not in u.split("://", 1)[1].partition("/")[2]]
        self.assertTrue(len(plantable) > 20, len(plantable))
        lines, expect = [], []
        for i in range(6000):
            toks, e = ["2024-05-01T10:00:00Z", "host%d:" % (i % 7)], 0
            for _ in range(rng.randrange(1, 6)):
                c = rng.random()
                if c < 0.35:
                    t = rng.choice(["", "www.", "cdn.", "api."]) + \
                        rng.choice(benign)
                    e += self.domain_hits(t)
                elif c < 0.45:
                    t = rng.choice(["", "a.", "x-1.www."]) + rng.choice(doms)
                    e += self.domain_hits(t)
                    if rng.random() < 0.3:
                        t = t.upper()
                elif c < 0.52:
                    t = rng.choice(["bet", "my", "x"]) + rng.choice(doms)
                    e += self.domain_hits(t)
                elif c < 0.70:
                    a = ipaddress.ip_address(rng.getrandbits(32))
                    if rng.random() < 0.3 and self.ips:
                        a = rng.choice(sorted(self.ips))
                    t = str(a)
                    e += self.ip_hits(t)
                elif c < 0.78:
                    net = rng.choice(self.nets)
                    a = net[rng.randrange(net.num_addresses)] if \
                        net.num_addresses < 2 ** 20 else \
                        net.network_address + rng.getrandbits(20)
                    t = str(a)
                    e += self.ip_hits(t)
                elif c < 0.85:
                    u = rng.choice(plantable)
                    t = u
                    host = u.split("://", 1)[1].partition("/")[0]
                    e += 1 + self.domain_hits(host)
                elif c < 0.92:
                    t = rng.choice(self.hashes)
                    if rng.random() < 0.5:
                        t = t.upper()
                    e += 1
                else:
                    t = "%032x" % rng.getrandbits(128)
                toks.append(t)
            lines.append(" ".join(toks))
            expect.append(e)
        path = os.path.join(self.node.tmp, "gen.log")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = self.node.cli("match", "--threads", "2", path, timeout=300)
        self.assertEqual(r.rc, h.EXIT_OK, repr(r))
        got = [0] * len(lines)
        for x in hits_of(r.out):
            got[x["line"] - 1] += 1
        bad = [(i + 1, got[i], expect[i], lines[i]) for i in
            range(len(lines)) if got[i] != expect[i]]
        self.assertFalse(bad[:5], "%d lines differ" % len(bad))
        self.assertTrue(sum(expect) > 1000, sum(expect))


if __name__ == "__main__":
    unittest.main()
