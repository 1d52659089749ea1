"""Objects: add, get, filter, versions, manifest, delete, status.

TAXII 2.1 sections 3.4 (filtering: match[id], match[type], match[version]
first/last/all/timestamps, match[spec_version], added_after; commas mean
OR within a field, fields AND together), 3.3 (X-TAXII-Date-Added-First and
-Last), 4.3 (status resource), 5.3-5.8 (objects, add, object by id,
manifest, delete, versions).  Timestamps the server emits have exactly six
fractional digits; timestamps it is sent may have 0 to 9.
"""

import copy
import unittest

import harness as h

T1 = "2024-03-01T10:00:00.123Z"
T2 = "2024-03-02T10:00:00.456Z"
T3 = "2024-03-03T10:00:00.789Z"
T4 = "2024-03-04T10:00:00.000Z"


def version_of(o):
    """An object's version in microseconds; None for objects that have
    neither modified nor created (SCOs)."""
    v = h.obj_version(o)
    return None if v is None else h.ts_us(v)


class ObjectsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-objects")
        cls.C = n.add_collection("Main")
        cls.D = n.add_collection("Other")
        cls.samples = h.make_sample_objects(seed=21)
        cls.st_samples = n.post_objects(cls.C, cls.samples)

        # One indicator in three versions, added in the order v2, v1, v3:
        # date_added order differs from version order on purpose.
        base = h.make_indicator(1, created=T1, modified=T1, valid_from=T1)
        cls.X = base["id"]
        cls.xv = {}
        for t, label in ((T1, "one"), (T2, "two"), (T3, "three"), (T4,
                "four")):
            v = copy.deepcopy(base)
            v["modified"] = t
            v["name"] = "Version %s of the scanner indicator" % label
            cls.xv[t] = v
        for t in (T2, T1, T3):
            n.post_objects(cls.C, [cls.xv[t]])
        # The other collection holds a newer version of X and its own
        # object: neither may leak into C.
        cls.d_only = h.make_indicators(1, seed=22)[0]
        n.post_objects(cls.D, [cls.xv[T4], cls.d_only])

        cls.by_id = {o["id"]: o for o in cls.samples}
        cls.by_id[cls.X] = cls.xv[T3]
        # date_added of every (id, version) in C, from the manifest.
        recs = n.fetch_all(cls.C, "manifest/", {"match[version]": "all"},
            limit=1000)
        cls.manifest_all = recs
        cls.unversioned = {o["id"] for o in cls.samples
            if h.obj_version(o) is None}
        cls.added = {cls.rec_key(r): r["date_added"] for r in recs}

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    # -- helpers

    @classmethod
    def rec_key(cls, rec):
        """(id, version) of a manifest record, comparable with idver()."""
        if rec["id"] in cls.unversioned:
            return rec["id"], None
        return rec["id"], h.ts_us(rec["version"])

    def get_objects(self, params=None, coll=None, **kw):
        r = self.node.get("collections/%s/objects/" % (coll or self.C),
            params=params, **kw)
        h.assert_ok_taxii(self, r)
        return r, r.body.get("objects", [])

    def idver(self, objs):
        return [(o["id"], version_of(o)) for o in objs]

    def check_date_headers(self, r, keys):
        """The X-TAXII-Date-Added-* headers of r span the date_added of the
        (id, version) keys it returned."""
        first = r.header("X-TAXII-Date-Added-First")
        last = r.header("X-TAXII-Date-Added-Last")
        self.assertIsNotNone(first, "no X-TAXII-Date-Added-First:\n%r" % r)
        self.assertIsNotNone(last, "no X-TAXII-Date-Added-Last:\n%r" % r)
        self.assertRegex(first, h.TS6_RE)
        self.assertRegex(last, h.TS6_RE)
        dates = [h.ts_us(self.added[k]) for k in keys]
        self.assertEqual(h.ts_us(first), min(dates), repr(r))
        self.assertEqual(h.ts_us(last), max(dates), repr(r))

    # -- round trip

    def test_add_status(self):
        st = self.st_samples
        self.assertEqual(st.get("status"), "complete", st)
        self.assertEqual(st.get("total_count"), len(self.samples), st)
        self.assertEqual(st.get("success_count"), len(self.samples), st)
        self.assertEqual(st.get("failure_count"), 0, st)
        self.assertEqual(st.get("pending_count"), 0, st)

    def test_round_trip_each_type(self):
        for o in self.samples:
            with self.subTest(type=o["type"]):
                r = self.node.get("collections/%s/objects/%s/" % (self.C,
                    o["id"]))
                h.assert_ok_taxii(self, r)
                got = r.body.get("objects")
                self.assertEqual(len(got), 1, repr(r))
                self.assertEqual(got[0], o)
                self.assertEqual(h.canonical(got[0]), h.canonical(o))
                self.assertFalse(r.body.get("more", False))

    def test_get_objects_gives_latest_of_each(self):
        r, objs = self.get_objects({"limit": 1000})
        got = {o["id"]: o for o in objs}
        self.assertEqual(len(got), len(objs), "an id twice:\n%r" % r)
        self.assertEqual(set(got), set(self.by_id))
        for oid, o in got.items():
            self.assertEqual(o, self.by_id[oid])
        self.assertFalse(r.body.get("more", False), repr(r))
        self.check_date_headers(r, self.idver(objs))
        # Ordered by date added, oldest first.
        dates = [h.ts_us(self.added[k]) for k in self.idver(objs)]
        self.assertEqual(dates, sorted(dates))

    def test_collections_do_not_leak(self):
        _, objs = self.get_objects({"match[id]": self.d_only["id"]})
        self.assertEqual(objs, [])
        _, objs = self.get_objects([("match[id]", self.X),
            ("match[version]", "all")])
        self.assertEqual(sorted(version_of(o) for o in objs),
            [h.ts_us(T1), h.ts_us(T2), h.ts_us(T3)])
        _, objs = self.get_objects([("match[id]", self.X),
            ("match[version]", T4)])
        self.assertEqual(objs, [])
        _, objs = self.get_objects({"match[type]": "indicator",
            "match[version]": "last", "limit": 1000})
        self.assertNotIn(self.d_only["id"], [o["id"] for o in objs])
        self.assertEqual([version_of(o) for o in objs if o["id"] == self.X],
            [h.ts_us(T3)])
        r, objs = self.get_objects([("match[id]", self.X)], coll=self.D)
        self.assertEqual(self.idver(objs), [(self.X, h.ts_us(T4))])
        r = self.node.get("collections/%s/objects/%s/" % (self.C,
            self.d_only["id"]))
        h.assert_taxii_error(self, r, 404)

    # -- filters

    def test_match_id(self):
        a, b = self.samples[2]["id"], self.samples[5]["id"]
        _, objs = self.get_objects({"match[id]": a})
        self.assertEqual([o["id"] for o in objs], [a])
        _, objs = self.get_objects({"match[id]": "%s,%s" % (a, b)})
        self.assertEqual(sorted(o["id"] for o in objs), sorted([a, b]))
        r, objs = self.get_objects({"match[id]":
            "indicator--00000000-0000-4000-8000-000000000000"})
        self.assertEqual(r.body, {}, "empty result is {}:\n%r" % r)

    def test_match_type(self):
        def types_of(objs):
            return sorted(o["type"] for o in objs)
        want = sorted(o["type"] for o in self.by_id.values()
            if o["type"] in ("malware", "identity"))
        _, objs = self.get_objects({"match[type]": "malware,identity"})
        self.assertEqual(types_of(objs), want)
        _, objs = self.get_objects({"match[type]": "indicator"})
        self.assertEqual(sorted(o["id"] for o in objs), sorted(
            oid for oid, o in self.by_id.items() if o["type"] ==
            "indicator"))
        _, objs = self.get_objects({"match[type]":
            "relationship,ipv4-addr,marking-definition"})
        self.assertEqual(types_of(objs), sorted(o["type"] for o in
            self.by_id.values() if o["type"] in ("relationship",
            "ipv4-addr", "marking-definition")))
        r, objs = self.get_objects({"match[type]": "x-no-such-type"})
        self.assertEqual(r.body, {}, repr(r))

    def test_match_version(self):
        v = {t: h.ts_us(t) for t in (T1, T2, T3)}
        # Objects come in date_added order: v2, v1, v3 were added so.
        cases = [
            (None, [T3]), ("last", [T3]), ("first", [T1]),
            ("all", [T2, T1, T3]), ("first,last", [T1, T3]),
            ("last,first", [T1, T3]), ("all,first", [T2, T1, T3]),
            (T2, [T2]), ("%s,%s" % (T1, T3), [T1, T3]),
            ("last,%s" % T1, [T1, T3]), ("first,%s" % T2, [T2, T1]),
            # The same instant with other precisions.
            ("2024-03-02T10:00:00.456000Z", [T2]),
            ("2024-03-02T10:00:00.456000000Z", [T2]),
            ("2024-03-02T10:00:00.000Z", []),
            (T4, []),
        ]
        for mv, want in cases:
            with self.subTest(match_version=mv):
                params = [("match[id]", self.X)]
                if mv is not None:
                    params.append(("match[version]", mv))
                r, objs = self.get_objects(params)
                self.assertEqual([version_of(o) for o in objs],
                    [v[t] if t in v else h.ts_us(t) for t in want], repr(r))
                for o in objs:
                    self.assertEqual(o, self.xv[h.obj_version(o)])
                if not want:
                    self.assertEqual(r.body, {}, repr(r))
        # Collection-wide: first gives v1 of X and the only version of the
        # rest.
        _, objs = self.get_objects({"match[version]": "first",
            "limit": 1000})
        got = dict(self.idver(objs))
        self.assertEqual(got[self.X], v[T1])
        self.assertEqual(len(objs), len(self.by_id))
        _, objs = self.get_objects({"match[version]": "all", "limit": 1000})
        self.assertEqual(len(objs), len(self.by_id) + 2)

    def test_match_spec_version(self):
        _, objs = self.get_objects({"match[spec_version]": "2.1",
            "limit": 1000})
        self.assertEqual(len(objs), len(self.by_id))
        _, objs = self.get_objects({"match[spec_version]": "2.0,2.1",
            "limit": 1000})
        self.assertEqual(len(objs), len(self.by_id))
        r, objs = self.get_objects({"match[spec_version]": "2.0"})
        self.assertEqual(r.body, {}, repr(r))

    def test_filters_and_together(self):
        mal = [o for o in self.samples if o["type"] == "malware"][0]
        r, _ = self.get_objects({"match[type]": "malware",
            "match[id]": self.X})
        self.assertEqual(r.body, {}, repr(r))
        _, objs = self.get_objects([("match[type]", "indicator,malware"),
            ("match[id]", "%s,%s" % (self.X, mal["id"])),
            ("match[version]", "all")])
        self.assertEqual(sorted(self.idver(objs)), sorted([
            (self.X, h.ts_us(T1)), (self.X, h.ts_us(T2)),
            (self.X, h.ts_us(T3)), (mal["id"], version_of(mal))]))
        r, _ = self.get_objects([("match[id]", self.X),
            ("match[version]", "all"), ("match[spec_version]", "2.0")])
        self.assertEqual(r.body, {}, repr(r))

    def test_percent_encoded_parameters(self):
        # HTTP libraries (python-requests among them) percent-encode the
        # brackets, commas and colons of match[...] parameters.
        mal = [o for o in self.samples if o["type"] == "malware"][0]
        r = self.node.get("collections/%s/objects/" % self.C,
            params=[("match[id]", "%s,%s" % (self.X, mal["id"])),
                ("match[version]", "%s,%s" % (T1, T3))], safe="")
        self.assertIn("%5B", r.target)
        h.assert_ok_taxii(self, r)
        self.assertEqual(sorted(self.idver(r.body.get("objects", []))),
            sorted([(self.X, h.ts_us(T1)), (self.X, h.ts_us(T3))]))
        # '+' is a space in a query; a literal '+' is %2B.
        r = self.node.get("collections/%s/objects/" % self.C,
            params={"match[type]": "malware"}, safe="")
        h.assert_ok_taxii(self, r)
        self.assertEqual([o["id"] for o in r.body.get("objects", [])],
            [mal["id"]])

    def test_added_after_is_exclusive(self):
        recs = sorted(self.manifest_all, key=lambda r: h.ts_us(
            r["date_added"]))
        self.assertEqual(len(recs), len(self.by_id) + 2)
        for k in (0, len(recs) // 2, len(recs) - 2):
            d = recs[k]["date_added"]
            want = [self.rec_key(r) for r in recs[k + 1:]]
            with self.subTest(k=k):
                r, objs = self.get_objects({"added_after": d,
                    "match[version]": "all", "limit": 1000})
                self.assertEqual(self.idver(objs), want, repr(r))
                m = self.node.get("collections/%s/manifest/" % self.C,
                    params={"added_after": d, "match[version]": "all",
                        "limit": 1000})
                h.assert_ok_taxii(self, m)
                self.assertEqual([self.rec_key(x) for x in
                    m.body.get("objects", [])], want)
        r, _ = self.get_objects({"added_after": recs[-1]["date_added"],
            "match[version]": "all"})
        self.assertEqual(r.body, {}, repr(r))
        _, objs = self.get_objects({"added_after": "1970-01-01T00:00:00Z",
            "match[version]": "all", "limit": 1000})
        self.assertEqual(len(objs), len(recs))

    def test_added_after_precisions(self):
        recs = sorted(self.manifest_all, key=lambda r: h.ts_us(
            r["date_added"]))
        d = recs[len(recs) // 2]["date_added"]
        us = h.ts_us(d)
        for digits in range(0, 10):
            if digits <= 6:
                value = h.fmt_ts(us, digits)
            else:
                value = d[:-1] + "987"[:digits - 6] + "Z"
            cut = h.ts_us(value)
            want = [self.rec_key(r) for r in recs
                if h.ts_us(r["date_added"]) > cut]
            with self.subTest(added_after=value):
                r, objs = self.get_objects({"added_after": value,
                    "match[version]": "all", "limit": 1000})
                self.assertEqual(self.idver(objs), want, repr(r))

    # -- headers and shapes

    def test_date_added_headers(self):
        base = "collections/%s/" % self.C
        r = self.node.get(base + "objects/%s/" % self.X)
        h.assert_ok_taxii(self, r)
        self.check_date_headers(r, [(self.X, h.ts_us(T3))])
        r = self.node.get(base + "objects/%s/" % self.X,
            params={"match[version]": "all"})
        h.assert_ok_taxii(self, r)
        self.assertEqual(len(r.body["objects"]), 3)
        self.check_date_headers(r, [(self.X, h.ts_us(t)) for t in
            (T1, T2, T3)])
        r = self.node.get(base + "objects/%s/versions/" % self.X)
        h.assert_ok_taxii(self, r)
        self.check_date_headers(r, [(self.X, h.ts_us(t)) for t in
            (T1, T2, T3)])
        r = self.node.get(base + "manifest/", params={"match[id]": self.X,
            "match[version]": "first"})
        h.assert_ok_taxii(self, r)
        self.check_date_headers(r, [(self.X, h.ts_us(T1))])
        r = self.node.get(base + "manifest/", params={"limit": 5})
        h.assert_ok_taxii(self, r)
        recs = r.body["objects"]
        self.check_date_headers(r, [self.rec_key(x) for x in recs])
        self.assertEqual(r.header("X-TAXII-Date-Added-First"),
            recs[0]["date_added"])
        self.assertEqual(r.header("X-TAXII-Date-Added-Last"),
            recs[-1]["date_added"])

    def test_object_by_id_shape(self):
        r = self.node.get("collections/%s/objects/%s/" % (self.C, self.X))
        h.assert_ok_taxii(self, r)
        self.assertEqual(set(r.body) - {"more", "next"}, {"objects"})
        self.assertEqual(r.body["objects"], [self.xv[T3]])
        if "more" in r.body:
            self.assertIs(r.body["more"], False)
        r = self.node.get("collections/%s/objects/%s/" % (self.C,
            "malware--6b3a0a6e-9a3c-4b5e-8a37-53c47bb00000"))
        h.assert_taxii_error(self, r, 404)

    def test_versions_shape(self):
        r = self.node.get("collections/%s/objects/%s/versions/" % (self.C,
            self.X))
        h.assert_ok_taxii(self, r)
        self.assertLessEqual(set(r.body), {"more", "versions"})
        vs = r.body.get("versions")
        self.assertIsInstance(vs, list)
        for v in vs:
            self.assertRegex(v, h.TS6_RE)
        self.assertEqual(sorted(h.ts_us(v) for v in vs),
            sorted(h.ts_us(t) for t in (T1, T2, T3)))
        if "more" in r.body:
            self.assertIs(r.body["more"], False)
        r = self.node.get("collections/%s/objects/%s/versions/" % (self.C,
            self.samples[0]["id"]))
        h.assert_ok_taxii(self, r)
        self.assertEqual([h.ts_us(v) for v in r.body["versions"]],
            [version_of(self.samples[0])])
        r = self.node.get("collections/%s/objects/%s/versions/" % (self.C,
            "malware--6b3a0a6e-9a3c-4b5e-8a37-53c47bb00000"))
        h.assert_taxii_error(self, r, 404)

    def test_manifest_shape(self):
        r = self.node.get("collections/%s/manifest/" % self.C,
            params={"limit": 1000})
        h.assert_ok_taxii(self, r)
        recs = r.body.get("objects")
        self.assertEqual(len(recs), len(self.by_id))
        for rec in recs:
            self.assertEqual(set(rec), {"id", "date_added", "version",
                "media_type"}, rec)
            self.assertRegex(rec["date_added"], h.TS6_RE)
            self.assertRegex(rec["version"], h.TS6_RE)
            mt, params = h.media_type(rec["media_type"])
            self.assertEqual((mt, params.get("version")),
                ("application/stix+json", "2.1"), rec)
            o = self.by_id[rec["id"]]
            if h.obj_version(o) is not None:
                self.assertEqual(h.ts_us(rec["version"]), version_of(o))
        dates = [h.ts_us(x["date_added"]) for x in recs]
        self.assertEqual(dates, sorted(dates))
        self.assertEqual(len(set(dates)), len(dates))
        r = self.node.get("collections/%s/manifest/" % self.C,
            params={"match[id]": self.X, "match[version]": "all"})
        h.assert_ok_taxii(self, r)
        self.assertEqual([h.ts_us(x["version"]) for x in r.body["objects"]],
            [h.ts_us(t) for t in (T2, T1, T3)])
        r = self.node.get("collections/%s/manifest/" % self.C,
            params={"match[type]": "x-nothing"})
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body, {})

    def test_emitted_timestamps_have_six_digits(self):
        for rec in self.manifest_all:
            self.assertRegex(rec["date_added"], h.TS6_RE)
            self.assertRegex(rec["version"], h.TS6_RE)
        st = self.st_samples
        if "request_timestamp" in st:
            self.assertRegex(st["request_timestamp"], h.TS6_RE)
        # The status's versions are emitted timestamps too (and must
        # compare equal, as strings, with the manifest's).
        for s in st.get("successes", []):
            if "version" in s:
                self.assertRegex(s["version"], h.TS6_RE, s)
        bad = h.make_indicator(77, pattern="[")
        st = self.node.post_objects(self.D, [bad])
        for f in st.get("failures", []):
            if "version" in f:
                self.assertRegex(f["version"], h.TS6_RE, f)
        # The objects themselves keep the producer's own timestamps.
        r = self.node.get("collections/%s/objects/%s/" % (self.C, self.X),
            params={"match[version]": "first"})
        self.assertEqual(r.body["objects"][0]["modified"], T1)

    # -- writes

    def test_repost_identical_is_success(self):
        st = self.node.post_objects(self.C, self.samples)
        self.assertEqual(st.get("success_count"), len(self.samples), st)
        self.assertEqual(st.get("failure_count"), 0, st)
        recs = self.node.fetch_all(self.C, "manifest/",
            {"match[version]": "all"}, limit=1000)
        self.assertEqual(len(recs), len(self.manifest_all),
            "a re-posted object was stored twice")
        self.assertEqual({(x["id"], x["version"], x["date_added"])
            for x in recs}, {(x["id"], x["version"], x["date_added"])
            for x in self.manifest_all}, "date_added changed on re-post")

    def test_status_resource(self):
        scratch = self.node.add_collection("Scratch for status")
        good = h.make_indicators(2, seed=23)
        bad = h.make_indicator(5, pattern="[ipv4-addr:value = ")
        st = self.node.post_objects(scratch, [good[0], bad, good[1]])
        self.assertIsInstance(st.get("id"), str, st)
        self.assertTrue(st["id"])
        self.assertEqual(st.get("status"), "complete", st)
        self.assertEqual(st.get("total_count"), 3, st)
        self.assertEqual(st.get("success_count"), 2, st)
        self.assertEqual(st.get("failure_count"), 1, st)
        self.assertEqual(st.get("pending_count"), 0, st)
        succ = st.get("successes")
        self.assertEqual(len(succ), 2, st)
        for s, o in zip(sorted(succ, key=lambda x: x["id"]),
                sorted(good, key=lambda x: x["id"])):
            self.assertEqual(s["id"], o["id"])
            self.assertEqual(h.ts_us(s["version"]), version_of(o))
        fails = st.get("failures")
        self.assertEqual(len(fails), 1, st)
        self.assertEqual(fails[0].get("id"), bad["id"], st)
        self.assertIsInstance(fails[0].get("message"), str, st)
        self.assertTrue(fails[0]["message"].strip(), st)
        self.assertFalse(st.get("pendings"), st)

        r = self.node.get("status/%s/" % st["id"])
        h.assert_ok_taxii(self, r)
        for k in ("id", "status", "total_count", "success_count",
                "failure_count", "pending_count"):
            self.assertEqual(r.body.get(k), st[k], k)
        self.assertEqual(sorted(x["id"] for x in r.body["successes"]),
            sorted(x["id"] for x in succ))
        self.assertEqual([x["id"] for x in r.body["failures"]], [bad["id"]])
        h.assert_taxii_error(self, self.node.get(
            "status/0d4b1b6c-2f5b-4b8e-9d7a-3e1f00000000/"), 404)
        h.assert_taxii_error(self, self.node.get("collections/%s/objects/"
            "%s/" % (scratch, bad["id"])), 404)
        for o in good:
            r = self.node.get("collections/%s/objects/%s/" % (scratch,
                o["id"]))
            h.assert_ok_taxii(self, r)
            self.assertEqual(r.body["objects"], [o])

    def test_same_version_different_content_is_a_failure(self):
        scratch = self.node.add_collection("Scratch for conflicts")
        o = h.make_indicators(1, seed=24)[0]
        self.node.post_objects(scratch, [o])
        o2 = dict(o, name="Changed without a new modified")
        st = self.node.post_objects(scratch, [o2])
        self.assertEqual(st.get("failure_count"), 1, st)
        self.assertEqual(st["failures"][0]["id"], o["id"], st)
        r = self.node.get("collections/%s/objects/%s/" % (scratch, o["id"]),
            params={"match[version]": "all"})
        self.assertEqual(r.body.get("objects"), [o], repr(r))

    def test_duplicates_inside_one_envelope(self):
        scratch = self.node.add_collection("Scratch for duplicates")
        a, b = h.make_indicators(2, seed=26)
        b2 = dict(b, name="Same version, other content")
        st = self.node.post_objects(scratch, [a, a, b, b2])
        self.assertEqual(st.get("total_count"), 4, st)
        self.assertEqual(st.get("success_count"), 3, st)
        self.assertEqual(st.get("failure_count"), 1, st)
        self.assertEqual([f["id"] for f in st["failures"]], [b["id"]], st)
        for o in (a, b):
            r = self.node.get("collections/%s/objects/%s/" % (scratch,
                o["id"]), params={"match[version]": "all"})
            h.assert_ok_taxii(self, r)
            self.assertEqual(r.body["objects"], [o])

    def test_delete(self):
        scratch = self.node.add_collection("Scratch for delete")
        single, multi = h.make_indicators(2, seed=25)
        m2 = dict(multi, modified="2024-06-01T00:00:00.000Z",
            name="Second version")
        self.node.post_objects(scratch, [single, multi, m2])
        base = "collections/%s/objects/" % scratch

        r = self.node.request("DELETE", base + single["id"] + "/")
        self.assertEqual(r.status, 200, repr(r))
        h.assert_taxii_error(self, self.node.get(base + single["id"] + "/"),
            404)
        r = self.node.request("DELETE", base + single["id"] + "/")
        h.assert_taxii_error(self, r, 404)

        r = self.node.request("DELETE", base + multi["id"] + "/",
            params={"match[version]": "first"})
        self.assertEqual(r.status, 200, repr(r))
        r = self.node.get(base + multi["id"] + "/",
            params={"match[version]": "all"})
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body["objects"], [m2])
        r = self.node.request("DELETE", base + multi["id"] + "/",
            params={"match[version]": "all"})
        self.assertEqual(r.status, 200, repr(r))
        h.assert_taxii_error(self, self.node.get(base + multi["id"] +
            "/versions/"), 404)
        r = self.node.get(base)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body, {}, repr(r))
        # A deleted object may be added again.
        st = self.node.post_objects(scratch, [single])
        self.assertEqual(st.get("success_count"), 1, st)
        h.assert_ok_taxii(self, self.node.get(base + single["id"] + "/"))


if __name__ == "__main__":
    unittest.main()
