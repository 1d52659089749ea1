"""Discovery, the API root, collections, media types, unknown paths.

TAXII 2.1 sections 4.1 (discovery: title, api_roots as URLs, default one of
them), 4.2 (API root: title, versions, max_content_length), 5.1/5.2
(collections: id, title, can_read, can_write, media_types), 1.6.8 (media
types), 3.6 (error message: title, http_status as a string).
"""

import os
import socket
import ssl
import unittest
import urllib.parse
import uuid
import warnings

import harness as h


class DiscoveryTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-disco")
        cls.c1 = n.add_collection("Grid indicators",
            description="Indicators about attacks on the energy grid")
        cls.c2 = n.add_collection("Empty collection")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def test_discovery(self):
        r = self.node.get("/taxii2/")
        h.assert_ok_taxii(self, r)
        d = r.body
        self.assertIsInstance(d.get("title"), str)
        self.assertTrue(d["title"])
        roots = d.get("api_roots")
        self.assertIsInstance(roots, list, repr(r))
        self.assertEqual(len(roots), 1, repr(r))
        for root in roots:
            u = urllib.parse.urlsplit(root)
            self.assertEqual(u.scheme, "https", root)
            self.assertEqual(u.hostname, "127.0.0.1", root)
            self.assertEqual(u.port, self.node.port, root)
            self.assertEqual(u.path, "/taxii2/api/", root)
        self.assertIn(d.get("default"), roots, "default must be one of "
            "api_roots:\n%r" % r)
        for k in ("description", "contact"):
            if k in d:
                self.assertIsInstance(d[k], str)

    def test_api_root(self):
        r = self.node.get("")
        h.assert_ok_taxii(self, r)
        a = r.body
        self.assertIsInstance(a.get("title"), str)
        self.assertTrue(a["title"])
        self.assertIsInstance(a.get("versions"), list, repr(r))
        self.assertIn(h.TAXII_MEDIA, a["versions"])
        mcl = a.get("max_content_length")
        self.assertIsInstance(mcl, int, repr(r))
        self.assertFalse(isinstance(mcl, bool))
        self.assertGreaterEqual(mcl, 1024 * 1024, repr(r))

    def check_collection(self, c):
        self.assertRegex(c.get("id", ""), h.UUID_RE)
        self.assertIsInstance(c.get("title"), str)
        self.assertIs(c.get("can_read"), True)
        self.assertIs(c.get("can_write"), True)
        if "media_types" in c:
            self.assertIsInstance(c["media_types"], list)
            self.assertIn(h.STIX_MEDIA, c["media_types"])

    def test_collections(self):
        r = self.node.get("collections/")
        h.assert_ok_taxii(self, r)
        cs = r.body.get("collections")
        self.assertIsInstance(cs, list, repr(r))
        by_id = {c["id"]: c for c in cs}
        self.assertEqual(set(by_id), {self.c1, self.c2})
        for c in cs:
            self.check_collection(c)
        self.assertEqual(by_id[self.c1]["title"], "Grid indicators")
        self.assertEqual(by_id[self.c1].get("description"),
            "Indicators about attacks on the energy grid")
        self.assertEqual(by_id[self.c2]["title"], "Empty collection")

        for cid in (self.c1, self.c2):
            with self.subTest(collection=cid):
                one = self.node.get("collections/%s/" % cid)
                h.assert_ok_taxii(self, one)
                self.check_collection(one.body)
                self.assertEqual(one.body, by_id[cid])

    def test_collection_id_is_case_checked_or_normalized(self):
        # An upper-case form of a known id is either the same collection or
        # 404, never an error page.
        r = self.node.get("collections/%s/" % self.c1.upper())
        if r.status == 200:
            h.assert_ok_taxii(self, r)
            self.assertEqual(r.body["id"], self.c1)
        else:
            h.assert_taxii_error(self, r, 404)

    def test_empty_collection_objects(self):
        r = self.node.get("collections/%s/objects/" % self.c2)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body, {}, "an empty result is {}:\n%r" % r)
        r = self.node.get("collections/%s/manifest/" % self.c2)
        h.assert_ok_taxii(self, r)
        self.assertEqual(r.body, {}, repr(r))

    def test_unknown_paths_are_404(self):
        unknown = str(uuid.uuid4())
        for path in ("/", "/nope", "/taxii2/nope/", "/taxii2/api/nope/",
                "/taxii2/other-root/", "/taxii2/api/collections/%s/" %
                unknown, "/taxii2/api/collections/%s/objects/" % unknown,
                "/taxii2/api/collections/%s/manifest/" % unknown,
                "/taxii2/api/collections/not-a-uuid/",
                "/taxii2/api/collections/%s/nope/" % self.c1,
                "/taxii2/api/collections/%s/objects/indicator--%s/" % (
                    self.c1, unknown),
                "/taxii2/api/collections/%s/objects/indicator--%s/"
                "versions/" % (self.c1, unknown),
                "/taxii2/api/collections/%s/objects/not-an-id/" % self.c1,
                "/taxii2/api/status/%s/" % unknown,
                "/taxii2/api/status/not-a-uuid/",
                "/taxii2/api/collections/%s/objects/x/y/z/" % self.c1,
                "/taxii2/api/collections/../collections/",
                "/taxii2/api/collections/%2e%2e/",
                "/taxii2/api//collections/"):
            with self.subTest(path=path):
                r = self.node.get(path)
                if path in ("/taxii2/api/collections/../collections/",
                        "/taxii2/api//collections/") and r.status == 200:
                    continue  # normalized: fine
                if "not-a" in path and r.status == 400:
                    # A malformed id may be called a bad request.
                    h.assert_taxii_error(self, r, 400)
                    continue
                h.assert_taxii_error(self, r, 404)

    def test_missing_trailing_slash_never_500(self):
        for path in ("/taxii2", "/taxii2/api", "/taxii2/api/collections",
                "/taxii2/api/collections/%s" % self.c1,
                "/taxii2/api/collections/%s/objects" % self.c1,
                "/taxii2/api/collections/%s/manifest" % self.c1,
                "/taxii2/api/status/%s" % uuid.uuid4()):
            with self.subTest(path=path):
                r = self.node.get(path)
                self.assertIn(r.status, (200, 301, 302, 307, 308, 404),
                    repr(r))
                if r.status in (301, 302, 307, 308):
                    loc = r.header("Location") or ""
                    self.assertTrue(urllib.parse.urlsplit(loc).path
                        .endswith(path.rsplit("/", 1)[-1] + "/"),
                        "redirect to the slash form:\n%r" % r)
                elif r.status == 404:
                    h.assert_taxii_error(self, r, 404)
                else:
                    h.assert_ok_taxii(self, r)

    def test_wrong_methods(self):
        for method, path in (("DELETE", "/taxii2/"), ("POST", "/taxii2/"),
                ("POST", ""), ("POST", "collections/"),
                ("PUT", "collections/%s/" % self.c1),
                ("PUT", "collections/%s/objects/" % self.c1),
                ("PATCH", "collections/%s/objects/" % self.c1),
                ("DELETE", "collections/%s/objects/" % self.c1),
                ("POST", "collections/%s/manifest/" % self.c1)):
            with self.subTest(method=method, path=path):
                r = self.node.request(method, path,
                    body=b"{}" if method in ("POST", "PUT", "PATCH")
                    else None)
                self.assertIn(r.status, (404, 405), repr(r))
                h.assert_taxii_error(self, r, r.status)
        # The collection still answers reads afterwards.
        h.assert_ok_taxii(self, self.node.get("collections/%s/" % self.c1))

    def test_every_response_is_taxii_media(self):
        for path in ("/taxii2/", "", "collections/", "collections/%s/" %
                self.c1, "collections/%s/objects/" % self.c1,
                "collections/%s/manifest/" % self.c1):
            with self.subTest(path=path):
                r = self.node.get(path)
                self.assertEqual(r.status, 200, repr(r))
                ct = r.header("Content-Type")
                self.assertTrue(h.is_taxii_media(ct), repr(r))
                # What taxii2-client 2.3 checks: every ;-token of its
                # Accept is a token of the Content-Type (spaces removed).
                toks = ct.replace(" ", "").split(";")
                self.assertIn("application/taxii+json", toks[0:1])
                self.assertIn("version=2.1", toks)

    def handshake(self, version, server_hostname):
        ctx = ssl.create_default_context(
            cafile=os.path.join(self.node.dir, "tls.crt"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if version < ssl.TLSVersion.TLSv1_2:
                ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.minimum_version = version
            ctx.maximum_version = version
        with socket.create_connection((self.node.host, self.node.port),
                timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname=server_hostname) as t:
                return t.version()

    def test_tls_versions_and_certificate(self):
        # TAXII 2.1 section 1.6.9 / 6: TLS 1.2 or later.  The certificate
        # names both 127.0.0.1 and localhost.
        for name in ("127.0.0.1", "localhost"):
            with self.subTest(name=name):
                self.assertEqual(self.handshake(ssl.TLSVersion.TLSv1_2,
                    name), "TLSv1.2")
                self.assertEqual(self.handshake(ssl.TLSVersion.TLSv1_3,
                    name), "TLSv1.3")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
        for version in old:
            with self.subTest(version=version.name):
                try:
                    got = self.handshake(version, "127.0.0.1")
                except ssl.SSLError as e:
                    if "NO_PROTOCOLS_AVAILABLE" in str(e):
                        continue  # this client cannot even offer it
                    got = None
                except (ConnectionError, OSError):
                    got = None
                self.assertIsNone(got, "server accepted %s" % got)
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.handshake(ssl.TLSVersion.TLSv1_2, "other.example")

    def test_accept_variants(self):
        for accept in (h.TAXII_MEDIA, "application/taxii+json; version=2.1",
                "application/taxii+json ;version=2.1",
                "application/taxii+json;version=2.1;charset=utf-8",
                "Application/TAXII+JSON;version=2.1",
                "application/taxii+json;version=\"2.1\"",
                "application/json, application/taxii+json;version=2.1",
                "*/*", None):
            with self.subTest(accept=accept):
                r = self.node.get("collections/", headers={"Accept": accept})
                h.assert_ok_taxii(self, r)
        for accept in ("application/json", "text/html",
                "application/taxii+json;version=2.0",
                "application/vnd.oasis.taxii+json; version=2.0",
                "application/xml"):
            with self.subTest(accept=accept):
                r = self.node.get("collections/", headers={"Accept": accept})
                h.assert_taxii_error(self, r, 406)


if __name__ == "__main__":
    unittest.main()
