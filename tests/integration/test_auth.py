"""Authentication, and access as agreements give it.

Missing, wrong or malformed credentials are 401 with WWW-Authenticate and a
TAXII error body; Bearer, Token and Basic (user = party name, password =
token) all work; a partner sees only the collections a share clause in
force lists (others are 404), reads and writes only what the clauses allow,
and deletes nothing; installing and terminating agreements applies at once.
"""

import base64
import json
import unittest

import harness as h


def made_by(objs, key_index):
    """Mark objs as produced by the party with test key key_index."""
    for o in objs:
        o["created_by_ref"] = h.identity_of(h.ed25519_key(key_index))
    return objs


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


class AuthTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-home")
        cls.coll = n.add_collection("Shared indicators")
        cls.other = n.add_collection("Private indicators")
        cls.tok = {
            "nogrant": n.partner("cert-nogrant", 0),
            "reader": n.partner("cert-reader", 1, [(cls.coll, True, False)]),
            "writer": n.partner("cert-writer", 2, [(cls.coll, False, True)]),
            "both": n.partner("cert-both", 3, [(cls.coll, True, True)]),
        }
        cls.seed = h.make_indicators(3, seed=11)
        n.post_objects(cls.coll, cls.seed)
        n.post_objects(cls.other, h.make_indicators(2, seed=12))

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def req(self, method, path, token=None, auth=None, body=None, **kw):
        headers = dict(kw.pop("headers", {}))
        if auth is not None:
            headers["Authorization"] = auth
        return self.node.request(method, path, body=body, token=token,
            headers=headers, **kw)

    def assert_401(self, r):
        h.assert_taxii_error(self, r, 401)
        self.assertTrue(r.header("WWW-Authenticate"),
            "401 without WWW-Authenticate:\n%r" % r)

    # -- failures

    def test_no_credentials(self):
        for path in ("", "collections/", "collections/%s/" % self.coll,
                "collections/%s/objects/" % self.coll,
                "collections/%s/manifest/" % self.coll,
                "collections/%s/objects/%s/" % (self.coll,
                    self.seed[0]["id"])):
            with self.subTest(path=path):
                self.assert_401(self.req("GET", path))
        r = self.req("POST", "collections/%s/objects/" % self.coll,
            body={"objects": h.make_indicators(1, seed=13)})
        self.assert_401(r)
        # Discovery may be open or closed, but never leaks an error page.
        r = self.req("GET", "/taxii2/")
        if r.status != 200:
            self.assert_401(r)

    def test_wrong_token(self):
        good = self.tok["reader"]
        flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
        for tok in ("ent_" + "A" * 54, flipped, good + "x", good[:-1],
                self.node.admin_token[:-2]):
            for scheme in ("Bearer", "Token"):
                with self.subTest(scheme=scheme, token=tok):
                    self.assert_401(self.req("GET", "collections/",
                        auth="%s %s" % (scheme, tok)))

    def test_malformed_authorization(self):
        good = self.tok["reader"]
        for value in ("Bearer", "Bearer ", "Token", "Basic", "Basic !!!",
                "Basic " + base64.b64encode(b"no-colon").decode(),
                "Basic " + base64.b64encode(b":" + good.encode()).decode(),
                "Negotiate abc", "Digest username=x", good,
                "Bearer %s %s" % (good, good), "Bearer " + "A" * 5000,
                "Basic " + "QUFB" * 2000, "Bearer \x01\x02"):
            with self.subTest(value=value[:60]):
                self.assert_401(self.req("GET", "collections/", auth=value))

    def test_basic_needs_the_matching_party_name(self):
        r = self.req("GET", "collections/",
            auth=basic("cert-writer", self.tok["reader"]))
        self.assert_401(r)
        r = self.req("GET", "collections/",
            auth=basic("nobody", self.tok["reader"]))
        self.assert_401(r)

    # -- the three schemes

    def test_bearer_token_and_basic_work(self):
        tok = self.tok["reader"]
        for auth in ("Bearer " + tok, "Token " + tok,
                basic("cert-reader", tok)):
            with self.subTest(auth=auth.split()[0]):
                r = self.req("GET", "collections/%s/objects/" % self.coll,
                    auth=auth)
                h.assert_ok_taxii(self, r)
                ids = {o["id"] for o in r.body.get("objects", [])}
                self.assertLessEqual({o["id"] for o in self.seed}, ids)

    def test_scheme_is_case_insensitive(self):
        # RFC 9110 section 11.1: the auth scheme is case-insensitive.
        tok = self.tok["reader"]
        for auth in ("bearer " + tok, "BEARER " + tok, "token " + tok,
                "basic " + basic("cert-reader", tok).split()[1]):
            with self.subTest(auth=auth.split()[0]):
                h.assert_ok_taxii(self, self.req("GET", "collections/",
                    auth=auth))

    def test_admin_sees_everything(self):
        r = self.node.request("GET", "collections/")
        h.assert_ok_taxii(self, r)
        got = {c["id"]: c for c in r.body.get("collections", [])}
        self.assertEqual(set(got), {self.coll, self.other})
        for c in got.values():
            self.assertIs(c["can_read"], True)
            self.assertIs(c["can_write"], True)

    # -- access from agreements

    def test_partner_without_grant_sees_nothing(self):
        tok = self.tok["nogrant"]
        r = self.node.request("GET", "collections/", token=tok)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body.get("collections", []), [],
            "no grant, no collection:\n%r" % r)
        for method, path in (("GET", "collections/%s/" % self.coll),
                ("GET", "collections/%s/objects/" % self.coll),
                ("GET", "collections/%s/manifest/" % self.coll),
                ("GET", "collections/%s/objects/%s/" % (self.coll,
                    self.seed[0]["id"])),
                ("GET", "collections/%s/objects/%s/versions/" % (self.coll,
                    self.seed[0]["id"])),
                ("DELETE", "collections/%s/objects/%s/" % (self.coll,
                    self.seed[0]["id"]))):
            with self.subTest(method=method, path=path):
                h.assert_taxii_error(self, self.node.request(method, path,
                    token=tok), 404)
        r = self.node.request("POST", "collections/%s/objects/" % self.coll,
            body={"objects": h.make_indicators(1, seed=14)}, token=tok)
        h.assert_taxii_error(self, r, 404)

    def test_grants_are_per_collection(self):
        for who in ("reader", "writer", "both"):
            tok = self.tok[who]
            with self.subTest(who=who):
                r = self.node.request("GET", "collections/", token=tok)
                h.assert_ok_taxii(self, r)
                ids = [c["id"] for c in r.body.get("collections", [])]
                self.assertEqual(ids, [self.coll])
                h.assert_taxii_error(self, self.node.request("GET",
                    "collections/%s/objects/" % self.other, token=tok), 404)

    def test_collection_resource_shows_permissions(self):
        for who, rd, wr in (("reader", True, False), ("writer", False, True),
                ("both", True, True)):
            with self.subTest(who=who):
                r = self.node.request("GET", "collections/%s/" % self.coll,
                    token=self.tok[who])
                h.assert_ok_taxii(self, r)
                self.assertIs(r.body.get("can_read"), rd, repr(r))
                self.assertIs(r.body.get("can_write"), wr, repr(r))

    def test_read_only_cannot_write(self):
        tok = self.tok["reader"]
        objs = made_by(h.make_indicators(1, seed=15), 1)
        # A reader may post sightings and notes about what it reads, so
        # the envelope is taken; its own indicator is refused, with why.
        st = self.node.post_objects(self.coll, objs, token=tok)
        self.assertEqual(st.get("success_count"), 0, st)
        self.assertEqual(st.get("failure_count"), 1, st)
        self.assertIn("not allowed by the agreements in force",
            st["failures"][0].get("message", ""), st)
        r = self.node.request("DELETE", "collections/%s/objects/%s/" % (
            self.coll, self.seed[0]["id"]), token=tok)
        h.assert_taxii_error(self, r, 403)
        # Nothing was written or deleted.
        r = self.node.request("GET", "collections/%s/objects/%s/" % (
            self.coll, objs[0]["id"]))
        h.assert_taxii_error(self, r, 404)
        r = self.node.request("GET", "collections/%s/objects/%s/" % (
            self.coll, self.seed[0]["id"]))
        h.assert_ok_taxii(self, r)

    def test_write_only_cannot_read(self):
        tok = self.tok["writer"]
        oid = self.seed[1]["id"]
        for path in ("collections/%s/objects/" % self.coll,
                "collections/%s/manifest/" % self.coll,
                "collections/%s/objects/%s/" % (self.coll, oid),
                "collections/%s/objects/%s/versions/" % (self.coll, oid)):
            with self.subTest(path=path):
                h.assert_taxii_error(self, self.node.request("GET", path,
                    token=tok), 403)
        r = self.node.request("DELETE", "collections/%s/objects/%s/" % (
            self.coll, oid), token=tok)
        h.assert_taxii_error(self, r, 403)
        # It writes what it produced, and reads its own status.
        objs = made_by(h.make_indicators(2, seed=16), 2)
        st = self.node.post_objects(self.coll, objs, token=tok)
        self.assertEqual(st.get("success_count"), 2, st)
        r = self.node.request("GET", "status/%s/" % st["id"], token=tok)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body.get("id"), st["id"])
        # Not what another party produced.
        st = self.node.post_objects(self.coll, made_by(h.make_indicators(
            1, seed=19), 1), token=tok)
        self.assertEqual(st.get("failure_count"), 1, st)
        self.assertIn("created_by_ref", st["failures"][0].get("message", ""))
        # The writer's agreement says onward: none, so the reader of the
        # same collection does not get what the writer sent.
        r = self.node.request("GET", "collections/%s/objects/%s/" % (
            self.coll, objs[0]["id"]), token=self.tok["reader"])
        h.assert_taxii_error(self, r, 404)
        r = self.node.request("GET", "collections/%s/objects/" % self.coll,
            token=self.tok["reader"], params={"limit": "1000"})
        h.assert_ok_taxii(self, r)
        got = {o["id"] for o in r.body.get("objects", [])}
        self.assertFalse(got & {o["id"] for o in objs}, got)
        self.assertTrue({o["id"] for o in self.seed} <= got, got)

    def test_partners_delete_nothing(self):
        tok = self.tok["both"]
        objs = made_by(h.make_indicators(1, seed=17), 3)
        self.node.post_objects(self.coll, objs, token=tok)
        path = "collections/%s/objects/%s/" % (self.coll, objs[0]["id"])
        h.assert_ok_taxii(self, self.node.request("GET", path, token=tok))
        r = self.node.request("DELETE", path, token=tok)
        h.assert_taxii_error(self, r, 403)
        r = self.node.request("DELETE", path)
        self.assertEqual(r.status, 200, repr(r))
        h.assert_taxii_error(self, self.node.request("GET", path, token=tok),
            404)

    def test_agreement_changes_apply_at_once(self):
        n = self.node
        tok = n.partner("cert-later", 4)
        path = "collections/%s/objects/" % self.coll
        h.assert_taxii_error(self, n.request("GET", path, token=tok), 404)
        f = n.make_agreement([("cert-later", 4)], ["from=SELF,to=cert-later,"
            "types=*,collections=%s,tlp=amber,onward=none" % self.coll])
        n.install_agreement(f)
        h.assert_ok_taxii(self, n.request("GET", path, token=tok))
        with open(f) as fh:
            aid = json.load(fh)["id"]
        r = n.cli("agreement", "terminate", aid, "--reason", "test over")
        self.assertEqual(r.rc, 0, repr(r))
        h.assert_taxii_error(self, n.request("GET", path, token=tok), 404)

    def test_status_of_another_party_is_hidden(self):
        st = self.node.post_objects(self.coll, made_by(h.make_indicators(1,
            seed=18), 3), token=self.tok["both"])
        r = self.node.request("GET", "status/%s/" % st["id"],
            token=self.tok["nogrant"])
        self.assertIn(r.status, (403, 404), repr(r))
        h.assert_taxii_error(self, r, r.status)


if __name__ == "__main__":
    unittest.main()
