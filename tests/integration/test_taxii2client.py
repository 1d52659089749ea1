"""The OASIS reference client, taxii2-client 2.3, against our server.

taxii2-client cannot be installed here, so this file reproduces the exact
HTTP request sequence it makes, from its source in the repository
oasis-open/cti-taxii-client (files read: taxii2client/__init__.py at
11c2ee8557c5, taxii2client/common.py at 0a509720819c, and
taxii2client/v21/__init__.py at 039823df3fdd, the 2.3 line with as_pages;
CHANGES.txt for 2.3.0).  The classes below are a model of that behaviour
written for this test, not the library's code.

- taxii2client/__init__.py: DEFAULT_USER_AGENT = "taxii2-client/2.3.0";
  MEDIA_TYPE_TAXII_V21 = "application/taxii+json;version=2.1" (no space,
  since 2.3.0, CHANGES.txt #95).
- taxii2client/common.py:
  * _TAXIIEndpoint adds a trailing "/" to every endpoint URL.
  * _HTTPConnection wraps one requests.Session (keep-alive).  user and
    password give HTTP Basic; TokenAuth sends "Authorization: Token KEY".
  * get() merges {"User-Agent": "taxii2-client/2.3.0"} with the call's
    headers, adds Accept: MEDIA_TYPE_TAXII_V21 when absent, calls
    raise_for_status(), then requires that every ";"-separated token of the
    Accept value (spaces removed) is a token of the response Content-Type
    and that the first token is "application/taxii+json"; else it raises.
  * post() and delete() pass only the call's headers: no taxii2-client
    User-Agent there (requests sends its own "python-requests/X").
  * _filter_kwargs_to_query_params(): match[<kwarg>] joined by ",";
    "version" and "added_after" accept datetimes, formatted by
    _format_datetime() as UTC with the microseconds stripped of trailing
    zeros (so 0 to 6 fractional digits); "limit" is int(); "next" is
    passed as a one-element tuple; empty values (limit=0) are dropped.
    requests then urlencodes the pairs with quote_plus: brackets, commas
    and colons arrive percent-encoded (%5B %5D %2C %3A).
- taxii2client/v21/__init__.py:
  * Server.refresh(): GET the discovery URL (default Accept); title is
    required; api_roots are urljoin()ed to the discovery URL; default must
    be one of them to be used.
  * ApiRoot: GET {root} (title, versions, max_content_length required),
    GET {root}collections/, and each collection's URL is
    {root}collections/{id}/; a collection needs id, title, can_read,
    can_write, and its id must occur in its URL.
  * Collection.get_objects: GET {coll}objects/ with the filters;
    get_object: {coll}objects/{id}/; object_versions:
    {coll}objects/{id}/versions/; get_manifest: {coll}manifest/;
    delete_object: DELETE {coll}objects/{id}/ with Accept only;
    add_objects: POST {coll}objects/ with Accept and Content-Type both
    MEDIA_TYPE_TAXII_V21 and the envelope as json.dumps(ensure_ascii=False)
    UTF-8; 202 expected (raise_for_status), body parsed as a status.
  * The status URL is urljoin({coll}, "../../status/{id}"), i.e.
    {root}status/{id} WITHOUT a trailing slash; it is only requested
    (polled every second) when the status is not "complete".
    ApiRoot.get_status uses {root}status/{id}/.
  * Status validation: id, status, total_count, success_count,
    failure_count, pending_count required; a non-empty successes /
    failures / pendings list must have the matching count; the three
    counts must add up to total_count.
  * as_pages(func, per_request=0): first call with limit=per_request; if
    more is true and the page did not hold per_request objects, later
    calls use limit=<size of the first page>; it loops while more is true,
    passing next=envelope.get("next", "").  A server that says more:true
    without next makes it request the first page forever.

Verified against our server: the discovery chain, collection validation,
add_objects with Basic auth and the status it parses, get_status,
as_pages over objects and manifest (per_request 0, 100 and more than the
collection holds; the limit changing after the first page), filters sent
the way the client encodes them (including an added_after with 1-6
fractional digits), get_object, object_versions, delete_object, and
TokenAuth.
"""

import base64
import datetime
import gzip
import http.client
import json
import time
import unittest
import urllib.parse
import zlib

import harness as h

DEFAULT_USER_AGENT = "taxii2-client/2.3.0"
MEDIA_TYPE_TAXII_V21 = "application/taxii+json;version=2.1"
# What requests sends when the caller gives no User-Agent (POST, DELETE).
REQUESTS_USER_AGENT = "python-requests/2.31.0"


class HTTPError(Exception):
    def __init__(self, reply):
        super().__init__("%s %s -> %s" % (reply.method, reply.target,
            reply.status))
        self.reply = reply


class ValidationError(Exception):
    pass


class TAXIIServiceException(Exception):
    pass


def ci_update(d, extra):
    """Case-insensitive header merge, later names win."""
    for k, v in (extra or {}).items():
        for old in [x for x in d if x.lower() == k.lower()]:
            del d[old]
        d[k] = v
    return d


def ci_get(d, name):
    for k, v in d.items():
        if k.lower() == name.lower():
            return v
    return None


def requests_query(params):
    """requests' _encode_params: scalars and iterables of values, None
    dropped, urlencode(doseq) with quote_plus."""
    pairs = []
    for k, vs in params.items():
        if isinstance(vs, (str, bytes)) or not hasattr(vs, "__iter__"):
            vs = [vs]
        for v in vs:
            if v is not None:
                pairs.append((k, v))
    return urllib.parse.urlencode(pairs, doseq=True)


class Session:
    """A requests.Session as taxii2-client uses it."""

    def __init__(self, node, user=None, password=None, token=None):
        self.node = node
        self.conn = None
        self.log = []
        self.auth = None
        if user and password:
            self.auth = "Basic " + base64.b64encode(("%s:%s" % (user,
                password)).encode("latin-1")).decode("ascii")
        elif token:
            self.auth = "Token %s" % token

    def request(self, method, url, headers=None, params=None, data=None):
        for _ in range(10):
            reply = self._send(method, url, headers, params, data)
            if method == "GET" and reply.status in (301, 302, 303, 307, 308):
                url = urllib.parse.urljoin(url, reply.header("Location"))
                params = None
                continue
            return reply
        raise AssertionError("redirect loop at %s" % url)

    def _send(self, method, url, headers, params, data):
        h_ = {"User-Agent": REQUESTS_USER_AGENT,
            "Accept-Encoding": "gzip, deflate", "Accept": "*/*",
            "Connection": "keep-alive"}
        ci_update(h_, headers)
        if params:
            q = requests_query(params)
            if q:
                url += ("&" if "?" in url else "?") + q
        if data is not None:
            h_["Content-Length"] = str(len(data))
        elif method not in ("GET", "HEAD"):
            h_["Content-Length"] = "0"
        if self.auth:
            h_["Authorization"] = self.auth
        u = urllib.parse.urlsplit(url)
        if (u.hostname, u.port) != (self.node.host, self.node.port):
            raise AssertionError("client sent to another host: %s" % url)
        target = u.path + ("?" + u.query if u.query else "")
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self.node.connect()
            try:
                self.conn.request(method, target, body=data, headers=h_)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (ConnectionResetError, BrokenPipeError,
                    http.client.RemoteDisconnected):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if resp.will_close:
            self.conn.close()
            self.conn = None
        enc = (resp.headers.get("Content-Encoding") or "").lower()
        if enc == "gzip":
            raw = gzip.decompress(raw)
        elif enc == "deflate":
            raw = zlib.decompress(raw)
        reply = h.Reply(method, target, resp.status, resp.reason,
            resp.headers, raw, dict(h_))
        self.log.append(reply)
        return reply

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def raise_for_status(reply):
    if 400 <= reply.status < 600:
        raise HTTPError(reply)


def parse_json(reply):
    try:
        return json.loads(reply.raw.decode("utf-8"))
    except ValueError as e:
        raise TAXIIServiceException("Invalid JSON was received from %s: %s"
            % (reply.target, e))


class Connection:
    """taxii2client.common._HTTPConnection, version "2.1"."""

    def __init__(self, session):
        self.session = session

    @staticmethod
    def valid_content_type(content_type, accept):
        accept_tokens = accept.replace(" ", "").split(";")
        ct_tokens = content_type.replace(" ", "").split(";")
        return (all(t in ct_tokens for t in accept_tokens) and
            ct_tokens[0] == "application/taxii+json")

    def get(self, url, headers=None, params=None):
        merged = {"User-Agent": DEFAULT_USER_AGENT}
        ci_update(merged, headers)
        if not ci_get(merged, "User-Agent"):
            merged["User-Agent"] = DEFAULT_USER_AGENT
        if ci_get(merged, "Accept") is None:
            merged["Accept"] = MEDIA_TYPE_TAXII_V21
        accept = ci_get(merged, "Accept")
        reply = self.session.request("GET", url, headers=merged,
            params=params)
        raise_for_status(reply)
        ct = reply.header("Content-Type")
        if ct is None:
            raise TAXIIServiceException("no Content-Type from %s" % url)
        if not self.valid_content_type(ct, accept):
            raise TAXIIServiceException("Unexpected Response. Got "
                "Content-Type: '%s' for Accept: '%s'" % (ct, accept))
        return parse_json(reply)

    def post(self, url, headers=None, data=None):
        reply = self.session.request("POST", url, headers=headers, data=data)
        raise_for_status(reply)
        return parse_json(reply)

    def delete(self, url, headers=None, params=None):
        reply = self.session.request("DELETE", url, headers=headers,
            params=params)
        raise_for_status(reply)


def format_datetime(dt):
    """taxii2client.common._format_datetime for aware/naive datetimes."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    dt = dt.astimezone(datetime.timezone.utc)
    ts = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond > 0:
        ts += "." + dt.strftime("%f").rstrip("0")
    return ts + "Z"


def filter_params(kw):
    """taxii2client.common._filter_kwargs_to_query_params."""
    q = {}
    for k, vals in kw.items():
        if not vals:
            continue
        if isinstance(vals, str) or not hasattr(vals, "__iter__"):
            vals = (vals,)
        if k == "version":
            q["match[version]"] = ",".join(format_datetime(v)
                if isinstance(v, datetime.datetime) else v for v in vals)
        elif k == "added_after":
            if len(vals) > 1:
                raise ValueError("one added_after only")
            q["added_after"] = ",".join(format_datetime(v)
                if isinstance(v, datetime.datetime) else v for v in vals)
        elif k == "limit":
            q["limit"] = int(vals[0])
        elif k == "next":
            q["next"] = vals
        else:
            q["match[" + k + "]"] = ",".join(vals)
    return q


def slash(url):
    return url if url.endswith("/") else url + "/"


class Status:
    def __init__(self, url, conn, info=None):
        self.url = slash(url)  # _TAXIIEndpoint adds the slash here too
        self.raw_url = url
        self.conn = conn
        if info is not None:
            self.populate(info)
        else:
            self.refresh()

    def refresh(self):
        self.populate(self.conn.get(self.url,
            headers={"Accept": MEDIA_TYPE_TAXII_V21}))

    def populate(self, d):
        self.raw = d
        self.id = d.get("id")
        self.status = d.get("status")
        self.total_count = d.get("total_count")
        self.success_count = d.get("success_count")
        self.failure_count = d.get("failure_count")
        self.pending_count = d.get("pending_count")
        self.successes = d.get("successes") or []
        self.failures = d.get("failures") or []
        self.pendings = d.get("pendings") or []
        for name in ("id", "status"):
            if not getattr(self, name):
                raise ValidationError("No '%s' in Status" % name)
        for name in ("total_count", "success_count", "failure_count",
                "pending_count"):
            if getattr(self, name) is None:
                raise ValidationError("No '%s' in Status" % name)
        for lst, cnt in (("successes", "success_count"),
                ("pendings", "pending_count"), ("failures",
                "failure_count")):
            if getattr(self, lst) and len(getattr(self, lst)) != \
                    getattr(self, cnt):
                raise ValidationError("%s does not match %s" % (lst, cnt))
        if (self.success_count + self.pending_count + self.failure_count !=
                self.total_count):
            raise ValidationError("counts do not add up to total_count")


class Collection:
    def __init__(self, url, conn, info=None):
        self.url = slash(url)
        self.conn = conn
        self.info = None
        if info is not None:
            self.populate(info)

    @property
    def objects_url(self):
        return self.url + "objects/"

    def populate(self, d):
        self.info = d
        for name in ("id", "title"):
            if not d.get(name):
                raise ValidationError("No '%s' in Collection" % name)
        for name in ("can_read", "can_write"):
            if d.get(name) is None:
                raise ValidationError("No '%s' in Collection" % name)
        if d["id"] not in self.url:
            raise ValidationError("collection id not in its URL")

    def ensure(self):
        if self.info is None:
            self.populate(self.conn.get(self.url,
                headers={"Accept": MEDIA_TYPE_TAXII_V21}))

    def can(self, what):
        self.ensure()
        if not self.info["can_" + what]:
            raise AssertionError("client refuses: cannot %s" % what)

    def get_objects(self, **kw):
        self.can("read")
        return self.conn.get(self.objects_url,
            headers={"Accept": MEDIA_TYPE_TAXII_V21},
            params=filter_params(kw))

    def get_object(self, obj_id, **kw):
        self.can("read")
        return self.conn.get(self.objects_url + str(obj_id) + "/",
            headers={"Accept": MEDIA_TYPE_TAXII_V21},
            params=filter_params(kw))

    def object_versions(self, obj_id, **kw):
        self.can("read")
        return self.conn.get(self.objects_url + str(obj_id) + "/versions/",
            headers={"Accept": MEDIA_TYPE_TAXII_V21},
            params=filter_params(kw))

    def delete_object(self, obj_id, **kw):
        self.can("write")
        return self.conn.delete(self.objects_url + str(obj_id) + "/",
            headers={"Accept": MEDIA_TYPE_TAXII_V21},
            params=filter_params(kw))

    def get_manifest(self, **kw):
        self.can("read")
        return self.conn.get(self.url + "manifest/",
            headers={"Accept": MEDIA_TYPE_TAXII_V21},
            params=filter_params(kw))

    def add_objects(self, envelope, poll_interval=1, timeout=60):
        self.can("write")
        data = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        st = self.conn.post(self.objects_url,
            headers={"Accept": MEDIA_TYPE_TAXII_V21,
                "Content-Type": MEDIA_TYPE_TAXII_V21}, data=data)
        status_url = urllib.parse.urljoin(self.url,
            "../../status/{}".format(st["id"]))
        status = Status(status_url, self.conn, info=st)
        self.status_url = status_url
        if status.status == "complete":
            return status
        t0 = time.monotonic()
        while status.status != "complete" and time.monotonic() - t0 < \
                timeout:
            time.sleep(poll_interval)
            status.refresh()
        return status


class ApiRoot:
    def __init__(self, url, conn):
        self.url = slash(url)
        self.conn = conn

    def refresh_information(self):
        d = self.conn.get(self.url, headers={"Accept": MEDIA_TYPE_TAXII_V21})
        if not d.get("title"):
            raise ValidationError("No 'title' in API Root")
        if not d.get("versions"):
            raise ValidationError("No 'versions' in API Root")
        if d.get("max_content_length") is None:
            raise ValidationError("No 'max_content_length' in API Root")
        self.info = d
        return d

    def collections(self):
        url = self.url + "collections/"
        d = self.conn.get(url, headers={"Accept": MEDIA_TYPE_TAXII_V21})
        return [Collection(url + item["id"] + "/", self.conn, info=item)
            for item in d.get("collections", [])]

    def get_status(self, status_id):
        url = self.url + "status/" + status_id + "/"
        d = self.conn.get(url, headers={"Accept": MEDIA_TYPE_TAXII_V21})
        return Status(url, self.conn, info=d)


class Server:
    def __init__(self, url, conn):
        self.url = slash(url)
        self.conn = conn
        d = self.conn.get(self.url)
        if not d.get("title"):
            raise ValidationError("No 'title' in Server Discovery")
        roots = d.get("api_roots") or []
        self.api_roots = [ApiRoot(urllib.parse.urljoin(self.url, r), conn)
            for r in roots]
        self.default = dict(zip(roots, self.api_roots)).get(d.get("default"))


def as_pages(func, per_request=0, **kw):
    envelope = func(limit=per_request, **kw)
    yield envelope
    got = len(envelope.get("objects", []))
    if envelope.get("more", False) and got != per_request:
        per_request = got
    n = 0
    while envelope.get("more", False):
        n += 1
        if n > 10000:
            raise AssertionError("as_pages does not end")
        envelope = func(limit=per_request, next=envelope.get("next", ""),
            **kw)
        yield envelope


class Taxii2ClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = n = h.Node(name="cert-server")
        cls.coll_id = n.add_collection("Shared with taxii2-client")
        cls.token = n.partner("cert-client", 0, [(cls.coll_id, True, True)])
        cls.objects = h.make_indicators(250, seed=61)
        # What a partner writes it must have produced (the agreements).
        for o in cls.objects:
            o["created_by_ref"] = h.identity_of(h.ed25519_key(0))

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def client(self, **auth):
        if not auth:
            auth = {"user": "cert-client", "password": self.token}
        sess = Session(self.node, **auth)
        self.addCleanup(sess.close)
        return sess, Connection(sess)

    def collection(self, conn):
        server = Server(self.node.url, conn)
        self.assertEqual(len(server.api_roots), 1)
        self.assertIs(server.default, server.api_roots[0],
            "default is not one of api_roots")
        root = server.default
        root.refresh_information()
        colls = {c.info["id"]: c for c in root.collections()}
        self.assertIn(self.coll_id, colls)
        return root, colls[self.coll_id]

    def test_1_discovery_chain_and_add(self):
        sess, conn = self.client()
        root, coll = self.collection(conn)
        self.assertIn(MEDIA_TYPE_TAXII_V21, root.info["versions"])
        st = coll.add_objects({"objects": self.objects})
        self.assertEqual(st.status, "complete", st.raw)
        self.assertEqual(st.success_count, len(self.objects))
        self.assertEqual(len(st.successes), len(self.objects))
        self.assertTrue(coll.status_url.endswith("/taxii2/api/status/" +
            st.id), coll.status_url)
        st2 = root.get_status(st.id)
        self.assertEqual((st2.id, st2.status, st2.success_count),
            (st.id, "complete", len(self.objects)))
        # What went over the wire.
        for r in sess.log:
            self.assertTrue(r.target.split("?")[0].endswith("/"), r.target)
            self.assertEqual(r.req_headers["Authorization"][:6], "Basic ")
            if r.method == "GET":
                self.assertEqual(r.req_headers["User-Agent"],
                    DEFAULT_USER_AGENT)
                self.assertEqual(r.req_headers["Accept"],
                    MEDIA_TYPE_TAXII_V21)
        posts = [r for r in sess.log if r.method == "POST"]
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0].status, 202)
        self.assertEqual(posts[0].req_headers["User-Agent"],
            REQUESTS_USER_AGENT)
        # The status URL the client derives (no trailing slash) is only
        # polled for a pending status; it must at least not be an error
        # page of ours.
        r = sess.request("GET", coll.status_url,
            headers={"Accept": MEDIA_TYPE_TAXII_V21,
                "User-Agent": DEFAULT_USER_AGENT})
        self.assertIn(r.status, (200, 404), repr(r))

    def ids(self, pages):
        return [o["id"] for p in pages for o in p.get("objects", [])]

    def test_2_as_pages(self):
        sess, conn = self.client()
        _, coll = self.collection(conn)
        want = [o["id"] for o in self.objects]
        for per_request in (100, 0, 70, 1000):
            with self.subTest(per_request=per_request):
                start = len(sess.log)
                pages = list(as_pages(coll.get_objects, per_request))
                got = self.ids(pages)
                self.assertEqual(sorted(got), sorted(want))
                self.assertEqual(len(got), len(set(got)))
                reqs = sess.log[start:]
                self.assertEqual(len(reqs), len(pages))
                if per_request == 0:
                    self.assertNotIn("limit=", reqs[0].target)
                    self.assertEqual(len(pages[0]["objects"]), 100)
                    for r in reqs[1:]:
                        self.assertIn("limit=100", r.target)
                        self.assertIn("next=", r.target)
                if per_request == 1000:
                    self.assertEqual(len(pages), 1)
        pages = list(as_pages(coll.get_manifest, 90))
        got = self.ids(pages)
        self.assertEqual(sorted(got), sorted(want))
        self.assertEqual(len(pages), 3)
        pages = list(as_pages(coll.get_objects, 60, type="indicator",
            version="last"))
        self.assertEqual(sorted(self.ids(pages)), sorted(want))
        self.assertIn("match%5Btype%5D=indicator", sess.log[-1].target)

    def test_3_filters_as_the_client_encodes_them(self):
        sess, conn = self.client()
        _, coll = self.collection(conn)
        recs = []
        for p in as_pages(coll.get_manifest, 1000):
            recs += p.get("objects", [])
        a, b = self.objects[3]["id"], self.objects[7]["id"]
        env = coll.get_objects(id=[a, b])
        self.assertEqual(sorted(o["id"] for o in env["objects"]),
            sorted([a, b]))
        self.assertIn("match%5Bid%5D=" + urllib.parse.quote_plus(a + "," +
            b), sess.log[-1].target)
        for k in (10, 100, 200):
            d = recs[k]["date_added"]
            us = h.ts_us(d)
            dt = datetime.datetime(1970, 1, 1,
                tzinfo=datetime.timezone.utc) + datetime.timedelta(
                microseconds=us)
            with self.subTest(added_after=format_datetime(dt)):
                ids = self.ids(as_pages(coll.get_objects, 100,
                    added_after=dt, version="all"))
                self.assertEqual(ids, [x["id"] for x in recs[k + 1:]])
        o = self.objects[0]
        env = coll.get_objects(version=[o["modified"]], id=o["id"])
        self.assertEqual(env.get("objects"), [o])

    def test_4_object_versions_delete(self):
        sess, conn = self.client()
        _, coll = self.collection(conn)
        o = self.objects[5]
        env = coll.get_object(o["id"])
        self.assertEqual(env["objects"], [o])
        vs = coll.object_versions(o["id"])
        self.assertEqual([h.ts_us(v) for v in vs["versions"]],
            [h.ts_us(o["modified"])])
        # Partners delete nothing (what was shared stays on record); the
        # client gets a clean TAXII error and the object stays.
        with self.assertRaises(HTTPError) as cm:
            coll.delete_object(o["id"])
        self.assertEqual(cm.exception.reply.status, 403)
        dels = [r for r in sess.log if r.method == "DELETE"]
        self.assertEqual(dels[-1].status, 403)
        env = coll.get_object(o["id"])
        self.assertEqual(env["objects"], [o])

    def test_5_token_auth(self):
        sess, conn = self.client(token=self.node.admin_token)
        root, coll = self.collection(conn)
        self.assertIs(coll.info["can_write"], True)
        env = coll.get_objects(limit=5)
        self.assertEqual(len(env["objects"]), 5)
        for r in sess.log:
            self.assertTrue(r.req_headers["Authorization"].startswith(
                "Token "))

    def test_6_wrong_credentials_fail_cleanly(self):
        sess, conn = self.client(user="cert-client", password="ent_wrong")
        with self.assertRaises(HTTPError) as cm:
            Server(self.node.url, conn).api_roots[0].refresh_information()
        self.assertEqual(cm.exception.reply.status, 401)


if __name__ == "__main__":
    unittest.main()
