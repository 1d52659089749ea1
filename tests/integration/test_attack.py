"""Real data: MITRE ATT&CK for Mobile 14.1, then 17.1, into one collection.

Both releases go in through the API in envelopes of at most 1,000 objects.
Every object reads back equal to what was sent (compared as parsed JSON and
as sorted-key JSON text: the server stores RFC 8785 canonical JSON, so the
bytes may differ, the value may not).  Ids present in both releases with a
different `modified` have both versions: `versions/` lists both,
match[version]=first gives the 14.1 object, last (and the default) the 17.1
one, all both.  Counts match the bundles.

Two objects cannot be stored as they are, and the tests expect exactly
those in the status failures:
- one relationship of 14.1 (relationship--f825f5ea-...) has `modified`
  earlier than `created`, which STIX 2.1 section 3.2 forbids ("modified
  ... MUST be later than or equal to the value of the created property");
- the ATT&CK copyright marking-definition has the same id and `created`
  (its version: it has no `modified`) in both releases but other content.
  A version is immutable, so the 17.1 one fails and the 14.1 one is kept.
"""

import unittest

import harness as h

OLD, NEW = "14.1", "17.1"


def version_us(o):
    return h.ts_us(h.obj_version(o))


def invalid(o):
    """Objects STIX 2.1 forbids outright (what the data holds)."""
    return "modified" in o and h.ts_us(o["modified"]) < h.ts_us(o["created"])


class AttackTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.old = h.load_attack(OLD)["objects"]
        cls.new = h.load_attack(NEW)["objects"]
        cls.node = n = h.Node(name="cert-attack")
        cls.coll = n.add_collection("MITRE ATT&CK Mobile")
        cls.st_old = [n.post_objects(cls.coll, part)
            for part in h.chunks(cls.old, 1000)]
        cls.st_new = [n.post_objects(cls.coll, part)
            for part in h.chunks(cls.new, 1000)]

        cls.invalid_old = sorted(o["id"] for o in cls.old if invalid(o))
        cls.invalid_new = sorted(o["id"] for o in cls.new if invalid(o))
        A = {o["id"]: o for o in cls.old if not invalid(o)}
        B = {o["id"]: o for o in cls.new if not invalid(o)}
        cls.A, cls.B = A, B
        both = set(A) & set(B)
        cls.changed = sorted(i for i in both
            if version_us(A[i]) != version_us(B[i]))
        cls.same = sorted(i for i in both
            if version_us(A[i]) == version_us(B[i]) and A[i] == B[i])
        cls.conflict = sorted(i for i in both
            if version_us(A[i]) == version_us(B[i]) and A[i] != B[i])
        # What the collection must hold: (id, version) -> object.
        cls.expected = {(i, version_us(o)): o for i, o in A.items()}
        for i, o in B.items():
            if i not in cls.conflict:
                cls.expected[(i, version_us(o))] = o
        cls.latest = {}
        for (i, v), o in cls.expected.items():
            if i not in cls.latest or v > version_us(cls.latest[i]):
                cls.latest[i] = o
        cls.earliest = {}
        for (i, v), o in cls.expected.items():
            if i not in cls.earliest or v < version_us(cls.earliest[i]):
                cls.earliest[i] = o

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def read(self, version=None, endpoint="objects/"):
        params = {"match[version]": version} if version else {}
        return self.node.fetch_all(self.coll, endpoint, params, limit=1000)

    def test_data_is_what_we_think(self):
        self.assertEqual(len(self.old), 2187)
        self.assertEqual(len(self.new), 2148)
        self.assertGreater(len(self.changed), 1000)
        self.assertEqual(len(self.conflict), 1)
        self.assertEqual(len(self.invalid_old), 1)
        self.assertEqual(len(self.invalid_new), 0)

    def test_statuses(self):
        got_ok, got_fail = set(), {}
        for st in self.st_old:
            self.assertEqual(st.get("status"), "complete")
            for f in st.get("failures", []):
                got_fail[f.get("id")] = f.get("message")
            for s in st.get("successes", []):
                got_ok.add(s["id"])
                self.assertEqual(h.ts_us(s["version"]),
                    version_us(self.A[s["id"]]))
        self.assertEqual(got_ok, set(self.A))
        self.assertEqual(sorted(got_fail), self.invalid_old, got_fail)
        got_ok, got_fail = set(), {}
        for st in self.st_new:
            self.assertEqual(st.get("total_count"), st.get("success_count",
                0) + st.get("failure_count", 0) + st.get("pending_count", 0))
            for s in st.get("successes", []):
                got_ok.add(s["id"])
            for f in st.get("failures", []):
                got_fail[f.get("id")] = f.get("message")
        self.assertEqual(sorted(got_fail), sorted(self.conflict +
            self.invalid_new),
            "failures: %r" % dict(list(got_fail.items())[:5]))
        for msg in got_fail.values():
            self.assertIsInstance(msg, str)
            self.assertTrue(msg)
        self.assertEqual(got_ok, set(self.B) - set(self.conflict))

    def check_equal(self, got, want):
        self.assertEqual(got, want)
        self.assertEqual(h.canonical(got), h.canonical(want))

    def test_every_version_reads_back_equal(self):
        objs = self.read("all")
        keys = [(o["id"], version_us(o)) for o in objs]
        self.assertEqual(len(keys), len(set(keys)), "a version twice")
        self.assertEqual(set(keys), set(self.expected))
        self.assertEqual(len(objs), len(self.old) + len(self.new) -
            len(self.same) - len(self.conflict) - len(self.invalid_old) -
            len(self.invalid_new))
        for k, o in zip(keys, objs):
            self.check_equal(o, self.expected[k])

    def test_first_last_default(self):
        for version, want in (("first", self.earliest), ("last", self.latest),
                (None, self.latest)):
            with self.subTest(version=version):
                objs = self.read(version)
                self.assertEqual(len(objs), len(want))
                got = {o["id"]: o for o in objs}
                self.assertEqual(set(got), set(want))
                for i in got:
                    self.check_equal(got[i], want[i])
                for i in self.changed[:50]:
                    self.assertEqual(got[i], (self.A if version == "first"
                        else self.B)[i])

    def test_versions_endpoint_lists_both(self):
        base = "collections/%s/objects/" % self.coll
        for i in self.changed:
            r = self.node.get(base + i + "/versions/", keepalive=True)
            self.assertEqual(r.status, 200, repr(r))
            vs = sorted(h.ts_us(v) for v in r.body.get("versions", []))
            self.assertEqual(vs, sorted([version_us(self.A[i]),
                version_us(self.B[i])]), i)
        for i in self.invalid_old + self.invalid_new:
            r = self.node.get(base + i + "/versions/", keepalive=True)
            h.assert_taxii_error(self, r, 404)
        for i in self.same[:5] + self.conflict:
            r = self.node.get(base + i + "/versions/", keepalive=True)
            self.assertEqual([h.ts_us(v) for v in r.body["versions"]],
                [version_us(self.A[i])], i)

    def test_object_by_id_versions(self):
        base = "collections/%s/objects/" % self.coll
        sample = self.changed[::max(1, len(self.changed) // 40)]
        for i in sample:
            with self.subTest(id=i):
                for version, want in (("first", [self.A[i]]),
                        ("last", [self.B[i]]), (None, [self.B[i]]),
                        ("all", [self.A[i], self.B[i]]),
                        (self.A[i]["modified"], [self.A[i]]),
                        (self.B[i]["modified"], [self.B[i]])):
                    params = {"match[version]": version} if version else None
                    r = self.node.get(base + i + "/", params=params,
                        keepalive=True)
                    h.assert_ok_taxii(self, r)
                    self.assertEqual(r.body.get("objects"), want, version)
        for i in self.conflict:
            r = self.node.get(base + i + "/", params={"match[version]":
                "all"})
            h.assert_ok_taxii(self, r)
            self.assertEqual(r.body["objects"], [self.A[i]],
                "the stored version of %s changed" % i)

    def test_counts(self):
        recs = self.read("all", "manifest/")
        self.assertEqual(len(recs), len(self.expected))
        recs = self.read(None, "manifest/")
        self.assertEqual(len(recs), len(set(self.A) | set(self.B)))
        for t in ("relationship", "attack-pattern", "x-mitre-tactic",
                "x-mitre-collection"):
            with self.subTest(type=t):
                objs = self.node.fetch_all(self.coll, "manifest/",
                    {"match[type]": t, "match[version]": "all"}, limit=1000)
                self.assertEqual(len(objs), sum(1 for (i, _) in
                    self.expected if i.startswith(t + "--")))

    def test_repost_is_idempotent(self):
        part = self.new[:300]
        st = self.node.post_objects(self.coll, part)
        want_fail = sum(1 for o in part if o["id"] in self.conflict or
            invalid(o))
        self.assertEqual(st.get("failure_count"), want_fail, st.get(
            "failures"))
        self.assertEqual(st.get("success_count"), len(part) - want_fail)
        recs = self.read("all", "manifest/")
        self.assertEqual(len(recs), len(self.expected))


if __name__ == "__main__":
    unittest.main()
