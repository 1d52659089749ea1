"""Pagination over 10,000 objects (TAXII 2.1 section 3.7).

10,000 indicators go in as ten 1,000-object envelopes and are read back
with limit 1000, 333 and the default (100): every object exactly once, in
date_added order, `more: true` always with a `next`, the last page with
`more: false`, no page above its limit (a limit above 1000 is capped).  A
tampered `next`, or one used with another query, is 400.  A `next` stays
valid across a restart of the server.
"""

import base64
import unittest

import harness as h

N = 10000
ENVELOPE = 1000

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def flip(c):
    """Another character that changes a data bit if c is a base64 digit
    (the top one: the low bits of a last digit may be padding)."""
    if c in B64:
        return B64[B64.index(c) ^ 0x20]
    if c in "+/":
        return "A"
    return "A" if c != "A" else "B"


class PaginationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-pages")
        cls.coll = n.add_collection("Ten thousand")
        cls.small = n.add_collection("Small")
        cls.objects = h.make_indicators(N, seed=51)
        cls.envelope_of = {}
        for k, part in enumerate(h.chunks(cls.objects, ENVELOPE)):
            st = n.post_objects(cls.coll, part)
            if st.get("success_count") != len(part):
                raise AssertionError("envelope %d: %r" % (k, {x: st.get(x)
                    for x in ("success_count", "failure_count")}))
            for o in part:
                cls.envelope_of[o["id"]] = k
        cls.by_id = {o["id"]: o for o in cls.objects}
        n.post_objects(cls.small, h.make_indicators(50, seed=52))

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def page(self, endpoint="objects/", coll=None, **params):
        r = self.node.get("collections/%s/%s" % (coll or self.coll,
            endpoint), params=params, keepalive=True)
        return r

    def check_pages(self, pages, limit):
        seen = []
        for i, r in enumerate(pages):
            objs = r.body.get("objects", [])
            self.assertLessEqual(len(objs), limit, "page %d" % i)
            self.assertTrue(objs, "an empty page %d:\n%r" % (i, r))
            more = r.body.get("more", False)
            if i < len(pages) - 1:
                self.assertIs(more, True)
                self.assertIsInstance(r.body.get("next"), str)
            else:
                self.assertIs(more, False, "last page:\n%r" % r)
            first = r.header("X-TAXII-Date-Added-First")
            last = r.header("X-TAXII-Date-Added-Last")
            self.assertRegex(first or "", h.TS6_RE, repr(r))
            self.assertRegex(last or "", h.TS6_RE, repr(r))
            if i > 0:
                prev_last = pages[i - 1].header("X-TAXII-Date-Added-Last")
                self.assertGreater(h.ts_us(first), h.ts_us(prev_last),
                    "pages overlap in date_added")
            seen.extend(objs)
        ids = [o["id"] for o in seen]
        self.assertEqual(len(ids), len(set(ids)), "an object came twice")
        self.assertEqual(set(ids), set(self.by_id), "objects missing")
        for o in seen:
            self.assertEqual(o, self.by_id[o["id"]])
        # Envelopes were added one after the other: date_added order keeps
        # them in that order.
        envs = [self.envelope_of[i] for i in ids]
        self.assertEqual(envs, sorted(envs), "not in date_added order")
        return ids

    def test_limit_1000(self):
        pages = self.node.fetch_pages(self.coll, limit=1000)
        ids = self.check_pages(pages, 1000)
        self.assertEqual(len(ids), N)
        self.assertEqual([len(p.body["objects"]) for p in pages],
            [1000] * 10)

    def test_limit_333(self):
        pages = self.node.fetch_pages(self.coll, limit=333)
        self.check_pages(pages, 333)
        self.assertGreaterEqual(len(pages), 31)

    def test_default_limit(self):
        pages = self.node.fetch_pages(self.coll)
        self.check_pages(pages, 100)
        self.assertEqual(len(pages[0].body["objects"]), 100,
            "the default page size is 100")

    def test_large_limit_is_capped(self):
        for limit in (1001, 5000, 100000):
            with self.subTest(limit=limit):
                r = self.page(limit=limit)
                h.assert_ok_taxii(self, r)
                self.assertEqual(len(r.body["objects"]), 1000, repr(r)[:300])
                self.assertIs(r.body.get("more"), True)

    def test_manifest_pages_match_objects(self):
        pages = self.node.fetch_pages(self.coll, "manifest/", limit=1000)
        recs = [x for p in pages for x in p.body.get("objects", [])]
        self.assertEqual(len(recs), N)
        dates = [h.ts_us(x["date_added"]) for x in recs]
        self.assertEqual(dates, sorted(dates))
        self.assertEqual(len(set(dates)), N, "date_added values repeat")
        objs = self.node.fetch_all(self.coll, limit=1000)
        self.assertEqual([x["id"] for x in recs], [o["id"] for o in objs])

    def test_added_after_pages(self):
        recs = self.node.fetch_all(self.coll, "manifest/", limit=1000)
        cut = recs[4999]["date_added"]
        pages = self.node.fetch_pages(self.coll, params={"added_after":
            cut}, limit=700)
        ids = [o["id"] for p in pages for o in p.body.get("objects", [])]
        self.assertEqual(ids, [x["id"] for x in recs[5000:]])

    def first_next(self, coll=None, **params):
        params.setdefault("limit", 10)
        r = self.page(coll=coll, **params)
        h.assert_ok_taxii(self, r)
        self.assertIs(r.body.get("more"), True, repr(r)[:500])
        nxt = r.body.get("next")
        self.assertIsInstance(nxt, str)
        self.assertTrue(nxt)
        return r, nxt

    def test_next_with_another_limit(self):
        # taxii2-client's as_pages changes the limit after the first page
        # when the server returned another amount; a next must allow it.
        r, nxt = self.first_next(limit=10)
        first_ids = [o["id"] for o in r.body["objects"]]
        r2 = self.page(limit=25, next=nxt)
        h.assert_ok_taxii(self, r2)
        ids2 = [o["id"] for o in r2.body["objects"]]
        self.assertEqual(len(ids2), 25)
        r3 = self.page(next=nxt)
        h.assert_ok_taxii(self, r3)
        self.assertEqual([o["id"] for o in r3.body["objects"]][:25], ids2)
        order = self.node.fetch_all(self.coll, "manifest/", limit=1000)
        ordered = [x["id"] for x in order]
        self.assertEqual(first_ids + ids2, ordered[:35])

    def test_tampered_next_400(self):
        _, nxt = self.first_next()
        variants = {
            "flipped last": nxt[:-1] + flip(nxt[-1]),
            "flipped first": flip(nxt[0]) + nxt[1:],
            "truncated": nxt[:-4],
            "extended": nxt + "AAAA",
            "doubled": nxt + nxt,
            "garbage": "x" * len(nxt),
            "base64 of junk": base64.urlsafe_b64encode(b"\0" * 48).decode(),
            "long": "A" * 5000,
        }
        mid = len(nxt) // 2
        variants["flipped middle"] = nxt[:mid] + flip(nxt[mid]) + \
            nxt[mid + 1:]
        for name, bad in variants.items():
            with self.subTest(variant=name):
                r = self.page(limit=10, next=bad)
                h.assert_taxii_error(self, r, 400)

    def test_next_from_another_query_400(self):
        _, nxt = self.first_next(**{"match[type]": "indicator"})
        for name, params in (
                ("other type", {"match[type]": "malware"}),
                ("no type", {}),
                ("with match[version]", {"match[type]": "indicator",
                    "match[version]": "all"}),
                ("with added_after", {"match[type]": "indicator",
                    "added_after": "2020-01-01T00:00:00Z"})):
            with self.subTest(query=name):
                r = self.page(limit=10, next=nxt, **params)
                h.assert_taxii_error(self, r, 400)
        with self.subTest(query="other collection"):
            r = self.page(coll=self.small, limit=10, next=nxt,
                **{"match[type]": "indicator"})
            h.assert_taxii_error(self, r, 400)

    def test_objects_added_while_paging(self):
        coll = self.node.add_collection("Growing")
        first = h.make_indicators(40, seed=53)
        self.node.post_objects(coll, first)
        r, nxt = self.first_next(coll=coll, limit=15)
        got = [o["id"] for o in r.body["objects"]]
        later = h.make_indicators(5, seed=54)
        self.node.post_objects(coll, later)
        while True:
            r = self.page(coll=coll, limit=15, next=nxt)
            h.assert_ok_taxii(self, r)
            got += [o["id"] for o in r.body.get("objects", [])]
            if not r.body.get("more"):
                break
            nxt = r.body["next"]
        self.assertEqual(set(got[:40]), {o["id"] for o in first})
        self.assertEqual(len(got), len(set(got)), "duplicates")
        self.assertLessEqual(set(got[40:]), {o["id"] for o in later})

    def test_z_next_survives_restart(self):
        # Runs last: it restarts the server.
        r, nxt = self.first_next(limit=1000)
        ids = [o["id"] for o in r.body["objects"]]
        self.node.restart()
        while True:
            r = self.page(limit=1000, next=nxt)
            h.assert_ok_taxii(self, r)
            ids += [o["id"] for o in r.body.get("objects", [])]
            if not r.body.get("more"):
                break
            nxt = r.body["next"]
        self.assertEqual(len(ids), N)
        self.assertEqual(set(ids), set(self.by_id))


if __name__ == "__main__":
    unittest.main()
