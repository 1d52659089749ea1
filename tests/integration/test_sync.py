"""Federation: three nodes sync over real HTTPS on loopback.

  A-B: A -> B  any type in grid, up to amber, onward any
       A -> B  any type in private, up to amber, onward none
  B-C: B -> C  any type in grid, up to green, onward any

A publishes objects at TLP clear, green and amber.  B pulls from A, C pulls
from B (`entente sync --once`).  A's amber objects reach B and never C (TLP
2.0: amber goes onward only to A-B's parties); its clear and green ones in
grid reach C through B byte for byte, with A as their creator; nothing of
private goes past B (onward none).  Every pull is proved included in the
sender's log and the sender's checkpoint is cosigned.  Repeated syncs are
idempotent; a sync killed mid-way loses and duplicates nothing; a partner
serving a forked log is halted with the evidence kept (docs/sync.md).
"""

import json
import os
import signal
import sqlite3
import subprocess
import time
import unittest

import harness as h

TLP = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
}


def base(node):
    return node.url.rsplit("/taxii2", 1)[0]


def marked(objs, tlp, by):
    for o in objs:
        o["object_marking_refs"] = [TLP[tlp]]
        o["created_by_ref"] = by
    return objs


def by_title(node):
    r = node.get("collections/")
    return {c["title"]: c["id"] for c in r.body.get("collections", [])}


def ids_in(node, coll):
    return {o["id"] for o in node.fetch_all(coll)}


def connect(puller, name, server, token):
    """Record server's node as partner name on puller."""
    w = server.whoami()
    r = puller.cli("partner", "add", name, "--url", base(server), "--key",
        w["public_key"], "--token", token, "--tls-pin", w["tls_pin"])
    if r.rc != 0:
        raise AssertionError("partner add failed: %r" % r)


def objects_of(node):
    """A function counting the object versions in node's database."""
    db = os.path.join(node.dir, "entente.db")

    def count():
        con = sqlite3.connect(db, timeout=30)
        try:
            return con.execute("SELECT count(*) FROM objects").fetchone()[0]
        finally:
            con.close()
    return count


def sync_until_stored(node, count, before):
    """Start `sync --once` on node; return once it stored a first page
    (or ended)."""
    p = subprocess.Popen([h.BIN, "sync", "--once", "--dir", node.dir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and count() == before and \
            p.poll() is None:
        time.sleep(0.02)
    return p


class SyncTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.a = a = h.Node("CERT-A")
        cls.b = b = h.Node("CERT-B")
        cls.c = c = h.Node("CERT-C")
        cls.extra = []
        for x, y in ((a, b), (b, a), (b, c), (c, b)):
            x.add_party(y.name, y.whoami()["public_key"])
        ab = a.make_agreement([("CERT-B", b)], [
            "from=SELF,to=CERT-B,types=*,collections=grid,tlp=amber,"
            "onward=any",
            "from=SELF,to=CERT-B,types=*,collections=private,tlp=amber,"
            "onward=none"], title="A-B")
        bc = b.make_agreement([("CERT-C", c)], [
            "from=SELF,to=CERT-C,types=*,collections=grid,tlp=green,"
            "onward=any"], title="B-C")
        for n in (a, b):
            n.install_agreement(ab)
        for n in (b, c):
            n.install_agreement(bc)
        connect(b, "CERT-A", a, a.issue_token("CERT-B"))
        connect(c, "CERT-B", b, b.issue_token("CERT-C"))
        cls.ca = by_title(a)
        ident = h.identity_of(a.whoami()["public_key"])
        cls.green = marked(h.make_indicators(5, seed=71), "green", ident)
        cls.clear = marked(h.make_indicators(3, seed=72), "clear", ident)
        cls.amber = marked(h.make_indicators(4, seed=73), "amber", ident)
        cls.private = marked(h.make_indicators(2, seed=74), "green", ident)
        a.post_objects(cls.ca["grid"], cls.green + cls.clear + cls.amber)
        a.post_objects(cls.ca["private"], cls.private)

    @classmethod
    def tearDownClass(cls):
        for n in [cls.a, cls.b, cls.c] + cls.extra:
            try:
                n.stop(check=False)
            finally:
                n.close()

    def sync(self, node, *extra):
        r = node.cli("sync", "--once", "--json", *extra, timeout=300)
        lines = [json.loads(x) for x in r.out.splitlines() if x.strip()]
        return r, {x["partner"]: x for x in lines}

    def test_1_chain_and_onward(self):
        a, b, c = self.a, self.b, self.c
        r, rep = self.sync(b)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(rep["CERT-A"]["state"], "ok", rep)
        self.assertEqual(rep["CERT-A"]["added"], 14, rep)
        self.assertTrue(rep["CERT-A"]["cosigned"], rep)
        self.assertGreaterEqual(rep["CERT-A"]["deliveries_proved"], 2, rep)
        cb = by_title(b)
        self.assertEqual(ids_in(b, cb["grid"]), {o["id"] for o in
            self.green + self.clear + self.amber})
        self.assertEqual(ids_in(b, cb["private"]), {o["id"] for o in
            self.private})
        r, rep = self.sync(c)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(rep["CERT-B"]["state"], "ok", rep)
        cc = by_title(c)
        got = {o["id"]: o for o in c.fetch_all(cc["grid"])}
        # Green and clear came on; amber never; private not at all.
        self.assertEqual(set(got), {o["id"] for o in self.green +
            self.clear})
        self.assertNotIn("private", cc)
        # Byte for byte what A published, A still named as creator.
        for o in self.green + self.clear:
            self.assertEqual(h.canonical(got[o["id"]]), h.canonical(o))
        # A's log holds B's cosignature.
        note = a.get("/entente/v1/log/checkpoint", headers={"Accept":
            "*/*"}).raw.decode()
        self.assertIn("\u2014 " + b.whoami()["log_key"].split("+")[0], note)
        # partner show reports the good sync.
        r = b.cli("partner", "show", "CERT-A", "--json")
        self.assertEqual(r.rc, 0, r)
        st = json.loads(r.out)
        self.assertEqual(st.get("state"), "ok", st)

    def test_2_idempotent(self):
        for node, partner in ((self.b, "CERT-A"), (self.c, "CERT-B")):
            r, rep = self.sync(node)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(rep[partner]["state"], "ok", rep)
            self.assertEqual(rep[partner]["added"], 0, rep)

    def test_2b_feedback_is_pushed(self):
        a, b = self.a, self.b
        target = self.green[0]
        ts = h.stix_ts(h.now_us())

        def sighting(by):
            return {"type": "sighting", "spec_version": "2.1",
                "id": h.new_id("sighting"), "created": ts, "modified": ts,
                "sighting_of_ref": target["id"], "count": 3,
                "created_by_ref": by}
        mine = sighting(h.identity_of(b.whoami()["public_key"]))
        forged = sighting(h.identity_of(a.whoami()["public_key"]))
        b.post_objects(by_title(b)["grid"], [mine, forged])
        r, rep = self.sync(b)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(rep["CERT-A"]["pushed"], 1, rep)
        self.assertEqual(rep["CERT-A"]["push_refused"], 1, rep)
        got = ids_in(a, self.ca["grid"])
        self.assertIn(mine["id"], got)
        self.assertNotIn(forged["id"], got)
        # Pushed once: the next sync has nothing new to push.
        r, rep = self.sync(b)
        self.assertEqual(rep["CERT-A"]["pushed"], 0, rep)

    def test_3_killed_mid_sync_loses_nothing(self):
        a, b = self.a, self.b
        many = marked(h.make_indicators(6000, seed=75), "green",
            h.identity_of(a.whoami()["public_key"]))
        for i in range(0, len(many), 2000):
            a.post_objects(self.ca["grid"], many[i:i + 2000])
        count = objects_of(b)
        before = count()
        p = sync_until_stored(b, count, before)
        p.send_signal(signal.SIGKILL)
        p.wait()
        mid = count()
        r, rep = self.sync(b)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(count() - before, 6000,
            "killed at %d of 6000" % (mid - before))
        got = b.fetch_all(by_title(b)["grid"])
        ids = [o["id"] for o in got]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertTrue({o["id"] for o in many} <= set(ids))

    def test_3b_partner_killed_mid_sync_loses_nothing(self):
        a, b = self.a, self.b
        more = marked(h.make_indicators(6000, seed=77), "green",
            h.identity_of(a.whoami()["public_key"]))
        for i in range(0, len(more), 2000):
            a.post_objects(self.ca["grid"], more[i:i + 2000])
        count = objects_of(b)
        before = count()
        p = sync_until_stored(b, count, before)
        a.kill()                       # the partner's node dies (SIGKILL)
        rc = p.wait(timeout=120)
        self.assertIn(rc, (0, 1))      # failed, or done before the kill
        a.start()                      # same directory, new port
        r = b.cli("partner", "remove", "CERT-A")
        self.assertEqual(r.rc, 0, r)
        connect(b, "CERT-A", a, a.issue_token("CERT-B"))
        r, rep = self.sync(b, "--force")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(rep["CERT-A"]["state"], "ok", rep)
        got = [o["id"] for o in b.fetch_all(by_title(b)["grid"])]
        self.assertEqual(len(got), len(set(got)))
        self.assertTrue({o["id"] for o in more} <= set(got))

    def test_4_forked_log_halts(self):
        a, b = self.a, self.b
        # A2: A's key and name, another history.
        a2 = h.Node("CERT-A", start=False)
        self.extra.append(a2)
        key = os.path.join(a2.dir, "identity.key")
        os.unlink(key)
        with open(os.path.join(a.dir, "identity.key"), "rb") as f:
            data = f.read()
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        import base64
        con = sqlite3.connect(os.path.join(a2.dir, "entente.db"))
        con.execute("UPDATE parties SET pubkey = ? WHERE role = 1", (
            base64.b64decode(a.whoami()["public_key"]),))
        con.commit()
        con.close()
        a2.add_party("CERT-B", b.whoami()["public_key"])
        tok = a2.issue_token("CERT-B")
        a2.start()
        with open(os.path.join(a.tmp, sorted(x for x in os.listdir(a.tmp)
                if x.startswith("agreement-"))[0])) as f:
            doc = f.read()
        path = os.path.join(a2.tmp, "ab.json")
        with open(path, "w") as f:
            f.write(doc)
        a2.install_agreement(path)
        a2.post_objects(by_title(a2)["grid"], h.make_indicators(3, seed=76))
        r = b.cli("partner", "remove", "CERT-A")
        self.assertEqual(r.rc, 0, r)
        connect(b, "CERT-A", a2, tok)
        r, rep = self.sync(b)
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(rep["CERT-A"]["state"], "halted", rep)
        ev = os.listdir(os.path.join(b.dir, "evidence"))
        self.assertTrue(ev, "no evidence saved")
        r = b.cli("partner", "show", "CERT-A")
        self.assertIn("HALTED", r.out)
        # Not synced again.
        r, rep = self.sync(b)
        self.assertEqual(rep["CERT-A"]["state"], "skipped", rep)


if __name__ == "__main__":
    unittest.main()
