"""Three parties over real HTTP: nothing leaks.

Three nodes, each with its own party and key: CERT-A serves; CERT-B and
CERT-C are its partners and talk to it over HTTPS with their tokens.  Three
agreements are installed on A, signed by every party:

  AB  (A, B):    A -> B  indicator, malware in grid, up to amber, onward none
                 B -> A  indicator in bilateral, up to red, onward any
  AC  (A, C):    A -> C  indicator labelled energy in grid and trilateral,
                         up to green, onward none
  ABC (A, B, C): B -> A  indicator in trilateral, up to red, onward parties
                 A -> C  indicator in trilateral, up to amber, onward none

A publishes its own objects at every TLP level; B publishes its own.  For
every object the test says by hand who may read it and why, and checks that
each partner gets exactly that through objects/, manifest/, object by id
and versions, that collections without a clause for it are not even listed,
that writes outside the clauses fail with the reason, that terminating an
agreement and letting one expire stop everything under it at once, and that
retention purges what was received under an agreement (docs/agreements.md,
"Policy" and "On a node").

Without federation (sync) the chain is B -> A -> C on one node: what B
wrote into A, A passes on to C only as AB's or ABC's onward, TLP 2.0 and an
agreement with C all allow.
"""

import json
import signal
import time
import unittest

import harness as h

TLP = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-"
                    "375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def obj(i, kind="indicator", tlp=None, labels=None, by=None):
    """A valid object of kind with the TLP marking and labels asked."""
    o = h.make_indicator(1000 + i)
    if kind != "indicator":
        ts = o["created"]
        o = {"type": kind, "spec_version": "2.1", "id": h.new_id(kind),
            "created": ts, "modified": ts, "name": "object %d" % i}
        if kind == "malware":
            o["is_family"] = False
    o.pop("labels", None)
    if labels:
        o["labels"] = labels
    if tlp:
        o["object_marking_refs"] = [TLP[tlp]]
    if by:
        o["created_by_ref"] = by
    return o


def by_title(node):
    """The node's collections, title -> id, as its own party sees them
    (a collection an agreement created has its name as title)."""
    r = node.get("collections/")
    h.assert_ok_taxii(unittest.TestCase(), r)
    return {c["title"]: c["id"] for c in r.body.get("collections", [])}


class LeakTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.a = h.Node("CERT-A")
        cls.b = h.Node("CERT-B", start=False)
        cls.c = h.Node("CERT-C", start=False)
        a = cls.a
        cls.ids = {}
        for n in (cls.b, cls.c):
            a.add_party(n.name, n.whoami()["public_key"])
        cls.tb = a.issue_token("CERT-B")
        cls.tc = a.issue_token("CERT-C")
        cls.b_ident = h.identity_of(cls.b.whoami()["public_key"])
        cls.c_ident = h.identity_of(cls.c.whoami()["public_key"])
        B, C = ("CERT-B", cls.b), ("CERT-C", cls.c)
        cls.ab = a.make_agreement([B], [
            "from=SELF,to=CERT-B,types=indicator+malware,collections=grid,"
            "tlp=amber,onward=none",
            "from=CERT-B,to=SELF,types=indicator,collections=bilateral,"
            "tlp=red,onward=any"], title="AB")
        cls.ac = a.make_agreement([C], [
            "from=SELF,to=CERT-C,types=indicator,labels=energy,"
            "collections=grid+trilateral,tlp=green,onward=none"],
            title="AC")
        cls.abc = a.make_agreement([B, C], [
            "from=CERT-B,to=SELF,types=indicator,collections=trilateral,"
            "tlp=red,onward=parties",
            "from=SELF,to=CERT-C,types=indicator,collections=trilateral,"
            "tlp=amber,onward=none"], title="ABC")
        for f in (cls.ab, cls.ac, cls.abc):
            a.install_agreement(f)
        # The collections the agreements name were created at install.
        cls.coll = by_title(a)
        cls.coll["private"] = a.add_collection("private")
        # A's own objects in grid: (object, B reads, C reads).
        cls.own = [
            (obj(1, tlp="green", labels=["energy"]), True, True),
            (obj(2, tlp="amber", labels=["energy"]), True, False),
            (obj(3, labels=["energy"]), True, False),     # unmarked: amber
            (obj(4, "malware", tlp="clear"), True, False),
            (obj(5, tlp="red", labels=["energy"]), False, False),
            (obj(6, tlp="green"), True, False),           # no energy label
            (obj(7, "attack-pattern", tlp="clear"), False, False),
        ]
        a.post_objects(cls.coll["grid"], [o for o, _, _ in cls.own])
        a.post_objects(cls.coll["private"], [obj(8, tlp="clear",
            labels=["energy"])])
        # B's objects: (collection, object, C reads).
        cls.theirs = [
            ("bilateral", obj(11, tlp="green", labels=["energy"],
                by=cls.b_ident), False),
            ("bilateral", obj(12, tlp="red", by=cls.b_ident), False),
            ("trilateral", obj(13, tlp="green", labels=["energy"],
                by=cls.b_ident), True),
            ("trilateral", obj(14, tlp="amber", by=cls.b_ident), True),
            ("trilateral", obj(15, tlp="amber+strict", by=cls.b_ident),
                False),
            ("trilateral", obj(16, tlp="red", by=cls.b_ident), False),
        ]
        for cname, o, _ in cls.theirs:
            st = a.post_objects(cls.coll[cname], [o], token=cls.tb)
            if st.get("success_count") != 1:
                raise AssertionError("B's write refused: %r" % st)

    @classmethod
    def tearDownClass(cls):
        for n in (cls.a, cls.b, cls.c):
            try:
                n.stop(check=False)
            finally:
                n.close()

    # -- helpers

    def seen(self, token, cname):
        """Ids the token reads in collection cname, through objects/ and
        manifest/ (which must agree); None when the collection is 404."""
        path = "collections/%s/" % self.coll[cname]
        r = self.a.request("GET", path, token=token)
        if r.status == 404:
            return None
        h.assert_ok_taxii(self, r)
        objs = self.a.fetch_all(self.coll[cname], token=token)
        man = self.a.fetch_all(self.coll[cname], endpoint="manifest/",
            token=token)
        ids = {o["id"] for o in objs}
        self.assertEqual(ids, {m["id"] for m in man},
            "objects/ and manifest/ disagree for %s" % cname)
        return ids

    def assert_by_id(self, token, cname, oid, visible):
        for rest in ("", "versions/"):
            r = self.a.request("GET", "collections/%s/objects/%s/%s" % (
                self.coll[cname], oid, rest), token=token)
            if visible:
                h.assert_ok_taxii(self, r)
            else:
                h.assert_taxii_error(self, r, 404)

    # -- tests (run in name order; the last ones end agreements)

    def test_1_own_objects(self):
        for who, tok, col in (("B", self.tb, 1), ("C", self.tc, 2)):
            with self.subTest(reader=who):
                want = {t[0]["id"] for t in self.own if t[col]}
                self.assertEqual(self.seen(tok, "grid"), want)
                for t in self.own:
                    self.assert_by_id(tok, "grid", t[0]["id"], t[col])
                # No clause lists private: not even listed.
                self.assertIsNone(self.seen(tok, "private"))
                r = self.a.request("GET", "collections/", token=tok)
                names = {c["id"] for c in r.body.get("collections", [])}
                self.assertNotIn(self.coll["private"], names)

    def test_2_onward(self):
        want_c = {o["id"] for cn, o, c in self.theirs if c}
        self.assertEqual(self.seen(self.tc, "trilateral"), want_c)
        for cname, o, c_reads in self.theirs:
            if cname == "trilateral":
                self.assert_by_id(self.tc, cname, o["id"], c_reads)
        # bilateral: no clause from A to C lists it.
        self.assertIsNone(self.seen(self.tc, "bilateral"))
        # For B both are write-only: no clause from A to B lists them.
        for cname in ("bilateral", "trilateral"):
            with self.subTest(collection=cname):
                r = self.a.request("GET", "collections/%s/" %
                    self.coll[cname], token=self.tb)
                h.assert_ok_taxii(self, r)
                self.assertIs(r.body.get("can_read"), False)
                self.assertIs(r.body.get("can_write"), True)
                r = self.a.request("GET", "collections/%s/objects/" %
                    self.coll[cname], token=self.tb)
                h.assert_taxii_error(self, r, 403)

    def test_3_writes_outside_clauses_fail(self):
        a, tb, tc = self.a, self.tb, self.tc
        cases = [
            (tb, "trilateral", obj(21, "malware", by=self.b_ident),
                "type"),
            (tb, "trilateral", obj(22, by=self.c_ident), "created_by_ref"),
            (tb, "grid", obj(23, by=self.b_ident), "not allowed"),
            (tc, "grid", obj(24, by=self.c_ident), "not allowed"),
            (tc, "trilateral", obj(25, by=self.c_ident), "not allowed"),
        ]
        for tok, cname, o, why in cases:
            with self.subTest(collection=cname, id=o["id"]):
                st = a.post_objects(self.coll[cname], [o], token=tok)
                self.assertEqual(st.get("success_count"), 0, st)
                self.assertIn(why, st["failures"][0].get("message", ""), st)
                r = a.request("GET", "collections/%s/objects/%s/" % (
                    self.coll[cname], o["id"]))
                h.assert_taxii_error(self, r, 404)
        # C may not write where it has no clause and cannot read: 404.
        r = a.request("POST", "collections/%s/objects/" %
            self.coll["bilateral"], body={"objects": [obj(26,
            by=self.c_ident)]}, token=tc)
        h.assert_taxii_error(self, r, 404)

    def test_4_log_open_to_parties_only(self):
        a = self.a
        r = a.request("GET", "/entente/v1/log/checkpoint", token=self.tc,
            headers={"Accept": "*/*"})
        self.assertEqual(r.status, 200, repr(r))
        a.add_party("CERT-X", h.ed25519_key(3))
        tx = a.issue_token("CERT-X")
        r = a.request("GET", "/entente/v1/log/checkpoint", token=tx,
            headers={"Accept": "*/*"})
        self.assertEqual(r.status, 403, repr(r))
        r = a.request("GET", "collections/", token=tx)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body.get("collections", []), [])

    def test_5_termination_stops_everything_under_it(self):
        a = self.a
        with open(self.abc) as f:
            abc_id = json.load(f)["id"]
        # C ends ABC: its record, signed with its key, installed on A.
        term = self.abc + ".term"
        r = h.run("agreement", "terminate-draft", self.abc, "--dir",
            self.c.dir, "--reason", "CERT-C leaves", "--out", term)
        self.assertEqual(r.rc, 0, repr(r))
        r = h.run("agreement", "sign", term, "--dir", self.c.dir)
        self.assertEqual(r.rc, 0, repr(r))
        a.install_agreement(term)
        r = a.cli("agreement", "show", abc_id, "--json")
        self.assertEqual(r.rc, 0, repr(r))
        self.assertIsNotNone(json.loads(r.out).get("terminated"))
        # Nothing B sent under ABC reaches C any more, even the green
        # energy indicator AC's clause would cover: it came under ABC.
        got = self.seen(self.tc, "trilateral")
        self.assertEqual(got or set(), set())
        for cname, o, _ in self.theirs:
            if cname == "trilateral":
                self.assert_by_id(self.tc, cname, o["id"], False)
        # B may no longer write there.
        st = a.post_objects(self.coll["trilateral"], [obj(31,
            by=self.b_ident)], token=self.tb, expect=404)
        self.assertIsNotNone(st)
        # AC still stands: C reads A's green energy indicator.
        self.assertEqual(self.seen(self.tc, "grid"),
            {t[0]["id"] for t in self.own if t[2]})

    def test_6_expiry_and_retention(self):
        a, B = self.a, ("CERT-B", self.b)
        # An agreement that ends in a few seconds, with a retention of 1 s
        # for what B sends under it.
        f = a.make_agreement([B], [
            "from=SELF,to=CERT-B,types=*,collections=brief,tlp=amber,"
            "onward=none",
            "from=CERT-B,to=SELF,types=*,collections=brief,tlp=amber,"
            "onward=none"], valid_from_us=h.now_us() - 1000000,
            valid_for="PT6S", retention="PT1S", title="brief")
        a.install_agreement(f)
        cid = by_title(a)["brief"]
        self.coll["brief"] = cid
        mine = obj(41, tlp="green")
        a.post_objects(cid, [mine])
        theirs = obj(42, tlp="green", by=self.b_ident)
        st = a.post_objects(cid, [theirs], token=self.tb)
        self.assertEqual(st.get("success_count"), 1, st)
        self.assertEqual(self.seen(self.tb, "brief"),
            {mine["id"], theirs["id"]})
        # Retention: B's object goes at the next purge (SIGHUP runs it).
        time.sleep(1.5)
        a.signal(signal.SIGHUP)
        path = "collections/%s/objects/%s/" % (cid, theirs["id"])
        for _ in range(100):
            if a.request("GET", path).status == 404:
                break
            time.sleep(0.1)
        h.assert_taxii_error(self, a.request("GET", path), 404)
        h.assert_ok_taxii(self, a.request("GET", "collections/%s/objects/"
            "%s/" % (cid, mine["id"])))
        # Expiry: at valid_until everything under it stops.
        deadline = time.time() + 15
        while time.time() < deadline and self.seen(self.tb, "brief"):
            time.sleep(0.5)
        self.assertIsNone(self.seen(self.tb, "brief"))
        h.assert_taxii_error(self, a.request("GET", "collections/%s/objects/"
            "%s/" % (cid, mine["id"]), token=self.tb), 404)

    def test_7_use_stops_with_the_agreement(self):
        """match and export use what came under an agreement only while
        it is in force; the node's own indicators always."""
        import os
        a = self.a
        out = os.path.join(a.tmp, "csv-before")
        r = a.cli("export", "--out", out, "csv")
        self.assertEqual(r.rc, 0, repr(r))
        text = "".join(open(os.path.join(out, f)).read()
            for f in os.listdir(out))
        b_ind = [o for cn, o, _ in self.theirs if cn == "bilateral"]
        own = [t[0] for t in self.own if t[0]["type"] == "indicator"]
        for o in b_ind + own:
            self.assertIn(o["id"], text)
        with open(self.ab) as f:
            ab_id = json.load(f)["id"]
        r = a.cli("agreement", "terminate", ab_id, "--reason", "over")
        self.assertEqual(r.rc, 0, repr(r))
        out = os.path.join(a.tmp, "csv-after")
        r = a.cli("export", "--out", out, "csv")
        self.assertEqual(r.rc, 0, repr(r))
        text = "".join(open(os.path.join(out, f)).read()
            for f in os.listdir(out))
        for o in b_ind:
            self.assertNotIn(o["id"], text)
        for o in own:
            self.assertIn(o["id"], text)


if __name__ == "__main__":
    unittest.main()
