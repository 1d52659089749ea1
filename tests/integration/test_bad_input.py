"""Hostile and broken input: every answer is the right 4xx with a TAXII
error body (never a 5xx), nothing invalid is stored, and the server keeps
answering afterwards.

Malformed JSON 400; JSON that is not an envelope 422; a body larger than
the API root's max_content_length 413 (announced by Content-Length or
sent chunked); Accept 406; Content-Type 415; bad filter parameters 400;
invalid objects inside a valid envelope are listed in the status's
failures while the valid ones are stored; duplicate member names, deep
nesting, invalid UTF-8, binary garbage, huge headers and a huge URL.
"""

import json
import os
import select
import socket
import ssl
import unittest

import harness as h


class BadInputTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-bad")
        cls.coll = n.add_collection("Target")
        cls.objects_path = "collections/%s/objects/" % cls.coll
        r = n.get("")
        cls.max_len = r.body["max_content_length"]
        cls.seed = h.make_indicators(3, seed=31)
        n.post_objects(cls.coll, cls.seed)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def post_raw(self, body, **kw):
        return self.node.request("POST", self.objects_path, body=body, **kw)

    def assert_not_stored(self, oid):
        r = self.node.get("%s%s/" % (self.objects_path, oid))
        h.assert_taxii_error(self, r, 404)

    def assert_rejected(self, r, oid):
        """Either the request was refused as a whole, or the object is in
        the failures; in both cases it was not stored."""
        if r.status == 202:
            self.assertEqual(r.body.get("success_count"), 0, repr(r))
            self.assertGreaterEqual(r.body.get("failure_count"), 1, repr(r))
        else:
            self.assertIn(r.status, (400, 413, 422), repr(r))
            h.assert_taxii_error(self, r, r.status)
        self.assert_not_stored(oid)

    # -- bodies

    def test_malformed_json_400(self):
        good = json.dumps({"objects": h.make_indicators(1, seed=32)})
        for body in (b"", b"{", b"}", b"nul", b"{\"objects\": [}",
                b"{\"objects\": [],}", b"{'objects': []}",
                b"{\"objects\": []} trailing", good[:-1].encode(),
                good.encode() + b"{}", b"[1, 2", b"{\"objects\": [NaN]}",
                b"{\"objects\": [Infinity]}", b"\"unterminated",
                b"{\"objects\": [\"tab\tinside\"]}"):
            with self.subTest(body=body[:40]):
                h.assert_taxii_error(self, self.post_raw(body), 400)

    def test_not_an_envelope_422(self):
        for body in (b"[]", b"\"objects\"", b"42", b"null", b"true", b"{}",
                b"{\"objects\": \"x\"}", b"{\"objects\": {}}",
                b"{\"objects\": null}", b"{\"more\": false}",
                json.dumps(h.make_indicators(1, seed=33)).encode(),
                json.dumps({"type": "bundle", "id": "bundle--" +
                    "5d0092c5-5f74-4287-9642-33f4c354e56d",
                    "objects": "nope"}).encode()):
            with self.subTest(body=body[:40]):
                h.assert_taxii_error(self, self.post_raw(body), 422)

    def test_empty_envelope_never_500(self):
        r = self.post_raw(b"{\"objects\": []}")
        self.assertIn(r.status, (202, 400, 422), repr(r))
        if r.status == 202:
            self.assertEqual(r.body.get("total_count"), 0, repr(r))

    def test_invalid_objects_are_failures_valid_ones_stored(self):
        v1, v2 = h.make_indicators(2, seed=34)
        ts = v1["created"]
        bad = {
            "no type": dict(h.make_indicator(40), type=None),
            "bad id": h.make_indicator(41, id="indicator--not-a-uuid"),
            "id of another type": h.make_indicator(42,
                id="malware--2f3b4a9c-6f0e-4c1a-9d4e-2b1f0c3e5a77"),
            "bad pattern": h.make_indicator(43,
                pattern="[ipv4-addr:value = '1.2.3.4'"),
            "pattern syntax error": h.make_indicator(44,
                pattern="[ipv4-addr:value = '1.2.3.4' AND]"),
            "bad timestamp": h.make_indicator(45, created="yesterday",
                modified="yesterday"),
            "modified before created": h.make_indicator(46,
                modified="2000-01-01T00:00:00.000Z"),
            "February 30": h.make_indicator(47,
                created="2024-02-30T00:00:00.000Z",
                modified="2024-02-30T00:00:00.000Z"),
            "no pattern": {k: v for k, v in h.make_indicator(48).items()
                if k != "pattern"},
            "malware without is_family": {"type": "malware",
                "spec_version": "2.1", "id": "malware--0a6b3f4e-1c2d-4e5f-"
                "8a9b-0c1d2e3f4a5b", "created": ts, "modified": ts,
                "name": "x"},
            "relationship without target": {"type": "relationship",
                "spec_version": "2.1", "id": "relationship--1b2c3d4e-5f6a-"
                "4b7c-8d9e-0f1a2b3c4d5e", "created": ts, "modified": ts,
                "relationship_type": "uses", "source_ref": v1["id"]},
            "wrong spec_version": h.make_indicator(49, spec_version="3.0"),
        }
        bad["no type"].pop("type")
        not_objects = ["a string", 42, None, [v1]]
        envelope = [v1] + list(bad.values()) + not_objects + [v2]
        r = self.post_raw({"objects": envelope})
        h.assert_ok_taxii(self, r, 202)
        st = r.body
        self.assertEqual(st.get("total_count"), len(envelope), st)
        self.assertEqual(st.get("success_count"), 2, st)
        self.assertEqual(st.get("failure_count"), len(envelope) - 2, st)
        self.assertEqual(st.get("pending_count"), 0, st)
        self.assertEqual(sorted(s["id"] for s in st.get("successes", [])),
            sorted([v1["id"], v2["id"]]))
        fails = st.get("failures", [])
        self.assertEqual(len(fails), len(envelope) - 2, st)
        for f in fails:
            self.assertIsInstance(f.get("message"), str, f)
            self.assertTrue(f["message"].strip(), f)
        failed_ids = {f.get("id") for f in fails}
        for name, o in bad.items():
            if name not in ("bad id", "no type"):
                with self.subTest(bad=name):
                    self.assertIn(o["id"], failed_ids, name)
                    if name != "id of another type":
                        self.assert_not_stored(o["id"])
        self.assert_not_stored("malware--2f3b4a9c-6f0e-4c1a-9d4e-"
            "2b1f0c3e5a77")
        for o in (v1, v2):
            r = self.node.get("%s%s/" % (self.objects_path, o["id"]))
            h.assert_ok_taxii(self, r)
            self.assertEqual(r.body["objects"], [o])

    def test_duplicate_member_names_rejected(self):
        o = h.make_indicators(1, seed=35)[0]
        text = json.dumps(o)
        # "name" twice inside the object.
        dup = text[:-1] + ", \"name\": \"second name\"}"
        r = self.post_raw(("{\"objects\": [%s]}" % dup).encode())
        self.assert_rejected(r, o["id"])
        # "objects" twice at the envelope level.
        o2 = h.make_indicators(1, seed=36)[0]
        r = self.post_raw(("{\"objects\": [], \"objects\": [%s]}" %
            json.dumps(o2)).encode())
        self.assert_rejected(r, o2["id"])
        # "id" twice: which object would be stored?
        o3 = h.make_indicators(1, seed=37)[0]
        t3 = json.dumps(o3)
        dup3 = "{\"id\": \"indicator--3e1b6a8c-2d4f-4b7a-9c0e-" \
            "5f6a7b8c9d0e\", " + t3[1:]
        r = self.post_raw(("{\"objects\": [%s]}" % dup3).encode())
        self.assert_rejected(r, o3["id"])
        self.assert_not_stored("indicator--3e1b6a8c-2d4f-4b7a-9c0e-"
            "5f6a7b8c9d0e")

    def test_deep_nesting_rejected(self):
        o = h.make_indicators(1, seed=38)[0]
        body = json.dumps({"objects": [dict(o, x_deep="@")]})
        deep = "[" * 100 + "]" * 100
        r = self.post_raw(body.replace("\"@\"", deep).encode())
        self.assert_rejected(r, o["id"])
        # Far past any parser's limit: must not exhaust the stack.
        for n in (10000, 1000000):
            with self.subTest(depth=n):
                r = self.post_raw(b"{\"objects\": " + b"[" * n + b"]" * n +
                    b"}")
                self.assertIn(r.status, (400, 413, 422), repr(r))
                h.assert_taxii_error(self, r, r.status)
                r = self.post_raw(b"{\"objects\": [" + b"{\"a\":" * n +
                    b"1" + b"}" * n + b"]}")
                self.assertIn(r.status, (202, 400, 413, 422), repr(r))
                if r.status == 202:
                    self.assertEqual(r.body.get("success_count"), 0)
                else:
                    h.assert_taxii_error(self, r, r.status)

    def test_invalid_utf8_and_nul(self):
        o = h.make_indicators(1, seed=39)[0]
        body = json.dumps({"objects": [dict(o, name="@@")]}).encode()
        for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"):
            with self.subTest(bytes=bad):
                r = self.post_raw(body.replace(b"@@", bad))
                self.assertIn(r.status, (400, 422), repr(r))
                h.assert_taxii_error(self, r, r.status)
                self.assert_not_stored(o["id"])
        # NUL inside a string: refused, or else stored exactly.
        r = self.post_raw(body.replace(b"@@", b"a\\u0000b"))
        if r.status == 202 and r.body.get("success_count") == 1:
            g = self.node.get("%s%s/" % (self.objects_path, o["id"]))
            h.assert_ok_taxii(self, g)
            self.assertEqual(g.body["objects"][0]["name"], "a\x00b")
        else:
            self.assert_rejected(r, o["id"])

    def test_numbers_are_kept_or_refused(self):
        # RFC 8785 numbers are IEEE doubles: an integer a double cannot
        # hold exactly must be refused, never silently changed.
        for i, (text, value) in enumerate((("9007199254740993", 2 ** 53 + 1),
                ("-9007199254740993", -(2 ** 53 + 1)),
                ("12345678901234567890123", 12345678901234567890123),
                ("9007199254740992", 2 ** 53), ("0.1", 0.1),
                ("1e-7", 1e-7), ("-0", 0), ("1E+2", 100),
                ("1e400", None), ("-1e400", None))):
            o = h.make_indicators(1, seed=900 + i)[0]
            body = json.dumps({"objects": [dict(o, x_num="@@")]})
            with self.subTest(number=text):
                r = self.post_raw(body.replace("\"@@\"", text).encode())
                if r.status == 202 and r.body.get("success_count") == 1:
                    self.assertIsNotNone(value, "stored %s" % text)
                    g = self.node.get("%s%s/" % (self.objects_path,
                        o["id"]))
                    h.assert_ok_taxii(self, g)
                    got = g.body["objects"][0]["x_num"]
                    self.assertEqual(got, value, "%s came back as %r" % (
                        text, got))
                    self.assertEqual(type(got) is float, type(value) is
                        float and value != int(value), g.raw)
                else:
                    self.assert_rejected(r, o["id"])

    def test_binary_garbage(self):
        rnd = os.urandom(64 * 1024)
        for body in (rnd, b"\x00" * 1000, b"\x1f\x8b\x08\x00" + rnd[:500]):
            with self.subTest(body=body[:8]):
                r = self.post_raw(body)
                self.assertIn(r.status, (400, 422), repr(r))
                h.assert_taxii_error(self, r, r.status)
        r = self.post_raw(rnd, headers={"Content-Type": "application/"
            "octet-stream"})
        h.assert_taxii_error(self, r, 415)

    # -- sizes

    def send_oversized(self, total, chunked):
        """Announce (or stream chunked) a body of total bytes; stop sending
        as soon as the server answers.  Returns the response."""
        conn = self.node.connect(timeout=60)
        conn.putrequest("POST", h.API + self.objects_path)
        conn.putheader("Accept", h.TAXII_MEDIA)
        conn.putheader("Content-Type", h.TAXII_MEDIA)
        conn.putheader("Authorization", "Bearer " + self.node.admin_token)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(total))
        conn.endheaders()
        sock = conn.sock
        piece = b"{\"objects\": [" + b" " * (256 * 1024 - 13)
        sent = 0
        # Never really send more than a little past the limit.
        limit = min(total, self.max_len + 4 * 1024 * 1024)
        try:
            while sent < limit:
                r, _, _ = select.select([sock], [], [], 0)
                if r or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                    break  # the server has answered
                n = min(len(piece), limit - sent)
                data = piece[:n] if sent == 0 else b" " * n
                if chunked:
                    data = b"%x\r\n" % n + data + b"\r\n"
                sock.sendall(data)
                sent += n
            if chunked and sent >= limit:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        try:
            resp = conn.getresponse()
            raw = resp.read()
            return h.Reply("POST", self.objects_path, resp.status,
                resp.reason, resp.headers, raw)
        finally:
            conn.close()

    def test_oversized_body_413(self):
        self.assertGreater(self.max_len, 0)
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                try:
                    r = self.send_oversized(self.max_len + 1, chunked)
                except (ConnectionResetError, BrokenPipeError) as e:
                    self.fail("connection dropped without a 413 (%s)" % e)
                h.assert_taxii_error(self, r, 413)
        # Far larger than allowed, announced up front.
        r = self.send_oversized(10 * 1024 * 1024 * 1024, False)
        h.assert_taxii_error(self, r, 413)

    def test_body_of_exactly_max_content_length_accepted(self):
        o = h.make_indicators(1, seed=41)[0]
        body = json.dumps({"objects": [o]}).encode()
        body = body[:-1] + b" " * (self.max_len - len(body)) + b"}"
        self.assertEqual(len(body), self.max_len)
        r = self.post_raw(body)
        h.assert_ok_taxii(self, r, 202)
        self.assertEqual(r.body.get("success_count"), 1, repr(r))

    # -- media types

    def test_wrong_accept_406(self):
        objs = h.make_indicators(1, seed=42)
        for accept in ("application/json", "application/taxii+json;"
                "version=2.0", "text/plain", "application/stix+json;"
                "version=2.0"):
            with self.subTest(accept=accept):
                r = self.node.get(self.objects_path,
                    headers={"Accept": accept})
                h.assert_taxii_error(self, r, 406)
                r = self.post_raw({"objects": objs},
                    headers={"Accept": accept})
                h.assert_taxii_error(self, r, 406)
        self.assert_not_stored(objs[0]["id"])
        for accept in (None, "*/*"):
            with self.subTest(accept=accept):
                h.assert_ok_taxii(self, self.node.get(self.objects_path,
                    headers={"Accept": accept}))

    def test_wrong_content_type_415(self):
        objs = h.make_indicators(1, seed=43)
        for ct in ("application/json", "text/plain",
                "application/taxii+json;version=2.0",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", None):
            with self.subTest(content_type=ct):
                r = self.post_raw({"objects": objs},
                    headers={"Content-Type": ct})
                h.assert_taxii_error(self, r, 415)
        self.assert_not_stored(objs[0]["id"])
        for i, ct in enumerate(("application/taxii+json; version=2.1",
                "application/taxii+json;version=2.1; charset=utf-8")):
            with self.subTest(content_type=ct):
                o = h.make_indicators(1, seed=44 + i)
                r = self.post_raw({"objects": o},
                    headers={"Content-Type": ct})
                h.assert_ok_taxii(self, r, 202)

    # -- parameters

    def test_bad_parameters_400(self):
        for name, value in (("limit", "0"), ("limit", "-1"),
                ("limit", "abc"), ("limit", "1.5"), ("limit", ""),
                ("limit", "10abc"), ("limit", "0x10"),
                ("added_after", "yesterday"), ("added_after", ""),
                ("added_after", "2024-13-01T00:00:00Z"),
                ("added_after", "2024-02-30T00:00:00Z"),
                ("added_after", "2024-01-01"),
                ("added_after", "2024-01-01T00:00:00"),
                ("added_after", "2024-01-01T25:00:00Z"),
                ("added_after", "2024-01-01T00:00:00.1234567890Z"),
                ("added_after", "2024-01-01T00:00:00.Z"),
                ("added_after", "2024-01-01T00:00:00+01:00"),
                ("match[version]", "newest"),
                ("match[version]", "last,bogus"),
                ("match[version]", "2024-01-01"),
                ("next", "not-a-real-cursor")):
            with self.subTest(param=name, value=value):
                for endpoint in ("objects/", "manifest/"):
                    r = self.node.get("collections/%s/%s" % (self.coll,
                        endpoint), params={name: value})
                    h.assert_taxii_error(self, r, 400)

    def test_odd_parameters_never_500(self):
        stored = self.stored_ids()
        for params in ({"limit": "99999999999999999999999"},
                {"limit": "1001"}, {"limit": "5000"},
                {"match[id]": "' OR 1=1 --"},
                {"match[id]": "indicator--%s" % ("a" * 5000)},
                {"match[type]": ",,,"}, {"match[type]": ""},
                {"match[type]": ",".join("t%d" % i for i in range(1000))},
                {"match[spec_version]": "9.9"}, {"unknown": "x"},
                [("limit", "1"), ("limit", "2")]):
            with self.subTest(params=str(params)[:60]):
                r = self.node.get(self.objects_path, params=params)
                self.assertLess(r.status, 500, repr(r))
                self.assertIn(r.status, (200, 400, 414), repr(r))
                if r.status == 200:
                    h.assert_ok_taxii(self, r)
                    for o in r.body.get("objects", []):
                        self.assertIn(o["id"], stored)
                else:
                    h.assert_taxii_error(self, r, r.status)
        r = self.node.get(self.objects_path, params={"match[id]":
            "' OR 1=1 --"})
        if r.status == 200:
            self.assertEqual(r.body, {}, repr(r))

    def stored_ids(self):
        return {x["id"] for x in self.node.fetch_all(self.coll, "manifest/",
            limit=1000)}

    # -- HTTP level

    def test_huge_header(self):
        # 16 KiB may be served; 1 MiB must be refused (or dropped).
        for size in (16 * 1024, 64 * 1024, 1024 * 1024):
            with self.subTest(size=size):
                try:
                    r = self.node.get(self.objects_path,
                        headers={"X-Junk": "a" * size})
                except (ConnectionResetError, BrokenPipeError,
                        ConnectionAbortedError, ssl.SSLError,
                        socket.timeout, OSError):
                    continue  # dropping such a request is fine
                if size >= 1024 * 1024:
                    self.assertGreaterEqual(r.status, 400, repr(r))
                self.assertLess(r.status, 500, repr(r))
        self.assertTrue(self.node.running())

    def test_huge_url(self):
        for size in (16 * 1024, 1024 * 1024):
            with self.subTest(size=size):
                try:
                    r = self.node.get(self.objects_path + "?match[id]=" +
                        "a" * size)
                except (ConnectionResetError, BrokenPipeError,
                        ConnectionAbortedError, ssl.SSLError, OSError):
                    continue
                self.assertGreaterEqual(r.status, 400, repr(r))
                self.assertLess(r.status, 500, repr(r))

    def test_many_headers(self):
        headers = {"X-H-%d" % i: "v" for i in range(2000)}
        try:
            r = self.node.get(self.objects_path, headers=headers)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError,
                OSError):
            return
        self.assertIn(r.status, (200, 400, 413, 431), repr(r))

    def test_plaintext_on_tls_port(self):
        s = socket.create_connection((self.node.host, self.node.port),
            timeout=10)
        try:
            s.sendall(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            s.close()
        self.assertTrue(self.node.running())

    def test_zz_server_still_answers(self):
        # Runs last (unittest sorts by name).
        self.assertTrue(self.node.running(), self.node.stderr_tail())
        h.assert_ok_taxii(self, self.node.get("/taxii2/"))
        r = self.node.get(self.objects_path, params={"limit": 1000})
        h.assert_ok_taxii(self, r)
        ids = {o["id"] for o in r.body.get("objects", [])}
        self.assertLessEqual({o["id"] for o in self.seed}, ids)


if __name__ == "__main__":
    unittest.main()
