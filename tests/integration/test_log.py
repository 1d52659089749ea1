"""The transparency log over real HTTPS: /entente/v1/log/ and `entente log`.

The checks recompute everything on the client side, in Python, from the
texts (RFC 9162 for proofs, C2SP for notes, docs/log.md for leaves): a
partner's delivery leaf is rebuilt from what the partner received and must
equal the one the node logged; proofs are verified against the root of the
signed checkpoint; a second node verifies, cosigns, and detects a fork.
"""

import base64
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import time
import unittest
import uuid

import harness as h

LOG = "/entente/v1/log/"


# ---------------------------------------------------------------- RFC 9162

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, root1, root2, proof):
    """RFC 9162 2.1.4.2."""
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2:
        return False
    if size1 & (size1 - 1) == 0:
        proof = [root1] + list(proof)
    if not proof:
        return False
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def parse_checkpoint(note):
    """(origin, size, root, signature lines) of a served checkpoint."""
    text, _, sigs = note.partition("\n\n")
    lines = text.split("\n")
    return (lines[0], int(lines[1]), base64.b64decode(lines[2]),
            [l for l in sigs.split("\n") if l])


def b64(s):
    return base64.b64decode(s)


class LogTest(unittest.TestCase):
    def setUp(self):
        self.node = h.Node("Alpha")
        self.coll = self.node.add_collection("log")
        self.ptok = self.node.partner("Bravo", key_index=1,
                                      grants=[(self.coll, True, False)])

    def tearDown(self):
        self.node.close()

    def log_get(self, path, token=h.DEFAULT, params=None):
        return self.node.get(LOG + path, token=token, params=params,
                             headers={"Accept": "*/*"})

    def checkpoint_at_least(self, size, timeout=10):
        """Wait for a checkpoint of at least size leaves; its text."""
        end = time.time() + timeout
        while True:
            r = self.log_get("checkpoint")
            self.assertEqual(r.status, 200, r)
            note = r.raw.decode()
            if parse_checkpoint(note)[1] >= size or time.time() > end:
                return note
            time.sleep(0.1)

    def test_delivery_leaf_matches_what_was_received(self):
        objs = h.make_indicators(7, seed=5)
        self.node.post_objects(self.coll, objs)
        r = self.node.get("collections/%s/objects/" % self.coll,
                          token=self.ptok)
        self.assertEqual(r.status, 200, r)
        leaf_i = int(r.header("Entente-Delivery-Leaf"))
        t = int(r.header("Entente-Delivery-Time"))
        received = json.loads(r.raw)["objects"]
        self.assertEqual(len(received), 7)
        # The leaf, rebuilt from what the partner holds (docs/log.md).
        key = b64(h.ed25519_key(1))
        hashes = [hashlib.sha256(h.canonical(o).encode()).digest()
                  for o in received]
        mine = (b"\x01\x02" + t.to_bytes(8, "big") + key +
                uuid.UUID(self.coll).bytes + len(hashes).to_bytes(2, "big") +
                b"".join(hashes))
        # The agreement installed (leaf 0), the objects (7 leaves), then
        # this delivery.
        self.assertEqual(leaf_i, 8)
        note = self.checkpoint_at_least(9)
        origin, size, root, sigs = parse_checkpoint(note)
        self.assertEqual(size, 9)
        self.assertEqual(len(sigs), 1)
        lv = json.loads(self.log_get("leaves", params={"start": 0,
                                                       "end": 9}).raw)
        self.assertEqual(len(lv["leaves"]), 9)
        for x in lv["leaves"]:
            self.assertEqual(b64(x["hash"]), leaf_hash(b64(x["data"])))
        self.assertEqual(b64(lv["leaves"][8]["data"]), mine)
        # Leaf 0: the agreement event (kind 3, installed).
        self.assertEqual(b64(lv["leaves"][0]["data"])[:3], b"\x01\x03\x01")
        # The partner proves it is in the signed tree, by index and hash.
        for params in ({"index": leaf_i}, {"hash": hashlib.sha256(
                b"\x00" + mine).hexdigest()}):
            p = json.loads(self.log_get("proof/inclusion", params=dict(
                params, size=size)).raw)
            self.assertEqual(p["leaf_index"], leaf_i)
            self.assertTrue(verify_inclusion(leaf_i, size, leaf_hash(mine),
                [b64(x) for x in p["hashes"]], root))
            # A tampered proof does not verify.
            bad = [b64(x) for x in p["hashes"]]
            bad[0] = bytes(32)
            self.assertFalse(verify_inclusion(leaf_i, size, leaf_hash(mine),
                                              bad, root))
        # Object leaves: each version's leaf carries its hash and id.
        for i, o in enumerate(received):
            data = b64(lv["leaves"][i + 1]["data"])
            self.assertEqual(data[:2], b"\x01\x01")
            self.assertIn(o["id"].encode(), data)
        # Admin reads are not deliveries.
        r = self.node.get("collections/%s/objects/" % self.coll)
        self.assertIsNone(r.header("Entente-Delivery-Leaf"))
        # Consistency between two checkpoints.
        self.node.post_objects(self.coll, h.make_indicators(3, seed=6))
        note2 = self.checkpoint_at_least(12)
        _, size2, root2, _ = parse_checkpoint(note2)
        self.assertEqual(size2, 12)
        c = json.loads(self.log_get("proof/consistency", params={
            "size1": size, "size2": size2}).raw)
        self.assertTrue(verify_consistency(size, size2, root, root2,
                                           [b64(x) for x in c["hashes"]]))
        self.assertFalse(verify_consistency(size, size2, root2, root2,
                                            [b64(x) for x in c["hashes"]]))
        # The old checkpoint is kept.
        r = self.log_get("checkpoint/9")
        self.assertEqual(r.raw.decode(), note)

    def test_bad_requests(self):
        self.node.post_objects(self.coll, h.make_indicators(2, seed=1))
        self.checkpoint_at_least(2)
        cases = [
            ("proof/inclusion", {"index": "x"}, 400),
            ("proof/inclusion", {"index": "01"}, 400),
            ("proof/inclusion", {}, 400),
            ("proof/inclusion", {"index": 5}, 404),
            ("proof/inclusion", {"hash": "zz"}, 400),
            ("proof/inclusion", {"hash": "00" * 32}, 404),
            ("proof/inclusion", {"index": 0, "size": 99}, 404),
            ("proof/consistency", {"size1": 0}, 400),
            ("proof/consistency", {"size1": 3, "size2": 2}, 400),
            ("leaves", {"start": 0, "end": 5000}, 400),
            ("leaves", {"start": 0, "end": 50}, 404),
            ("checkpoint/77", None, 404),
            ("checkpoint/abc", None, 400),
            ("nothing", None, 404),
        ]
        for path, params, status in cases:
            r = self.log_get(path, params=params)
            self.assertEqual(r.status, status, "%s %s: %r" % (path, params,
                                                              r))
            self.assertTrue(h.is_taxii_media(r.header("Content-Type")), r)
        r = self.log_get("checkpoint", token=None)
        self.assertEqual(r.status, 401)
        r = self.node.request("DELETE", LOG + "checkpoint")
        self.assertEqual(r.status, 405)
        r = self.node.request("POST", LOG + "cosignature", body="junk\n",
                              token=self.ptok,
                              headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 400, r)
        r = self.node.request("POST", LOG + "cosignature", body="junk\n",
                              headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 403, r)

    def test_cli(self):
        objs = h.make_indicators(4, seed=2)
        self.node.post_objects(self.coll, objs)
        note = self.checkpoint_at_least(4)
        w = json.loads(self.node.cli("whoami", "--json").out)
        self.assertTrue(w["log_key"].startswith(w["log_origin"] + "+"))
        # log checkpoint prints exactly what is served.
        r = self.node.cli("log", "checkpoint")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, note)
        # log prove: a proof that verifies here too.
        r = self.node.cli("log", "prove", objs[2]["id"], "--json")
        self.assertEqual(r.rc, 0, r)
        (p,) = json.loads(r.out)
        _, size, root, _ = parse_checkpoint(p["checkpoint"])
        self.assertEqual(b64(p["root"]), root)
        self.assertTrue(verify_inclusion(p["leaf_index"], size,
            b64(p["leaf_hash"]), [b64(x) for x in p["hashes"]], root))
        r = self.node.cli("log", "prove", "indicator--" + str(uuid.uuid4()))
        self.assertEqual(r.rc, h.EXIT_NOTFOUND, r)
        r = self.node.cli("log", "audit")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("audit ok: 5 leaves", r.out)  # 1 agreement event
        r = self.node.cli("log", "frobnicate")
        self.assertEqual(r.rc, h.EXIT_USAGE, r)


class VerifyTest(unittest.TestCase):
    """Node B verifies node A's log, cosigns it, and catches a fork."""

    def setUp(self):
        self.a = h.Node("Alpha")
        self.b = h.Node("Bravo", start=False)
        self.nodes = [self.a, self.b]
        wb = json.loads(self.b.cli("whoami", "--json").out)
        self.coll = self.a.add_collection("shared")
        self.a.add_party("Bravo", wb["public_key"])
        self.tok = self.a.issue_token("Bravo")
        self.agreement = self.a.make_agreement([("Bravo", self.b)],
            ["from=SELF,to=Bravo,types=*,collections=%s,tlp=red,"
             "onward=none" % self.coll])
        self.a.install_agreement(self.agreement)
        wa = json.loads(self.a.cli("whoami", "--json").out)
        self.akey = wa["log_key"]
        self.apin = wa["tls_pin"]

    def tearDown(self):
        for n in self.nodes:
            n.close()

    def verify(self, node, url=None):
        return self.b.cli("log", "verify", "--url", url or node.url.rstrip(
            "/").rsplit("/taxii2", 1)[0], "--key", self.akey, "--token",
            self.tok, "--tls-pin", self.apin)

    def wait_size(self, node, size):
        for _ in range(100):
            r = node.get(LOG + "checkpoint", headers={"Accept": "*/*"})
            if parse_checkpoint(r.raw.decode())[1] >= size:
                return r.raw.decode()
            time.sleep(0.1)
        self.fail("no checkpoint of size %d" % size)

    def test_verify_cosign_and_received(self):
        self.a.post_objects(self.coll, h.make_indicators(5, seed=1))
        self.wait_size(self.a, 5)
        r = self.verify(self.a)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("first contact", r.out)
        # A now serves B's cosignature, verifiable with B's key.
        note = self.wait_size(self.a, 5)
        sigs = parse_checkpoint(note)[3]
        self.assertEqual(len(sigs), 2, note)
        # B received a delivery: record it as sync will, and prove it.
        g = self.a.get("collections/%s/objects/" % self.coll, token=self.tok)
        leaf_i = int(g.header("Entente-Delivery-Leaf"))
        t = int(g.header("Entente-Delivery-Time"))
        wb = json.loads(self.b.cli("whoami", "--json").out)
        objs = json.loads(g.raw)["objects"]
        data = (b"\x01\x02" + t.to_bytes(8, "big") + b64(wb["public_key"]) +
                uuid.UUID(self.coll).bytes + len(objs).to_bytes(2, "big") +
                b"".join(hashlib.sha256(h.canonical(o).encode()).digest()
                         for o in objs))
        db = sqlite3.connect(os.path.join(self.b.dir, "entente.db"))
        db.execute("INSERT INTO tlog_received (vkey, leaf_index, leaf_hash, "
                   "received) VALUES (?, ?, ?, 0)",
                   (self.akey, leaf_i, leaf_hash(data)))
        db.commit()
        self.a.post_objects(self.coll, h.make_indicators(2, seed=2))
        self.wait_size(self.a, 8)
        r = self.verify(self.a)
        self.assertEqual(r.rc, 0, r)
        # 1 agreement event + 5 objects seen at the first contact.
        self.assertIn("consistent with size 6", r.out)
        self.assertIn("1 received leaves proved included", r.out)
        # A leaf it never logged: evidence, exit 5.
        db.execute("INSERT INTO tlog_received (vkey, leaf_index, leaf_hash, "
                   "received) VALUES (?, ?, ?, 0)",
                   (self.akey, leaf_i, hashlib.sha256(b"x").digest()))
        db.commit()
        db.close()
        r = self.verify(self.a)
        self.assertEqual(r.rc, 5, r)
        self.assertIn("PARTNER LOG INCONSISTENT", r.err)
        self.assertEqual(len(glob.glob(os.path.join(self.b.dir, "evidence",
                                                    "*.txt"))), 1)
        # A wrong pin is refused before anything is read.
        r = self.b.cli("log", "verify", "--url", self.a.url.rsplit(
            "/taxii2", 1)[0], "--key", self.akey, "--token", self.tok,
            "--tls-pin", base64.b64encode(bytes(32)).decode())
        self.assertEqual(r.rc, 1, r)
        self.assertIn("pinned", r.err)

    def test_fork_detected(self):
        self.a.post_objects(self.coll, h.make_indicators(3, seed=1))
        self.wait_size(self.a, 3)
        r = self.verify(self.a)
        self.assertEqual(r.rc, 0, r)
        # A2: the same key and origin, another history of the same size.
        a2 = h.Node("Alpha", start=False)
        self.nodes.append(a2)
        key = os.path.join(a2.dir, "identity.key")
        os.unlink(key)
        shutil.copy(os.path.join(self.a.dir, "identity.key"), key)
        os.chmod(key, 0o600)
        db = sqlite3.connect(os.path.join(a2.dir, "entente.db"))
        db.execute("UPDATE parties SET pubkey = (?) WHERE role = 1",
                   (b64(json.loads(self.a.cli("whoami", "--json").out)[
                       "public_key"]),))
        db.commit()
        db.close()
        wb = json.loads(self.b.cli("whoami", "--json").out)
        a2.add_party("Bravo", wb["public_key"])
        tok2 = a2.issue_token("Bravo")
        a2.install_agreement(self.agreement)   # A's key signed it
        a2.start()
        c2 = a2.add_collection("other")
        a2.post_objects(c2, h.make_indicators(3, seed=99))
        self.wait_size(a2, 3)
        pin2 = json.loads(a2.cli("whoami", "--json").out)["tls_pin"]
        self.assertEqual(json.loads(a2.cli("whoami", "--json").out)[
            "log_key"], self.akey)
        r = self.b.cli("log", "verify", "--url", a2.url.rsplit("/taxii2",
            1)[0], "--key", self.akey, "--token", tok2, "--tls-pin", pin2)
        self.assertEqual(r.rc, 5, r)
        self.assertIn("two different checkpoints of the same size", r.err)
        ev = glob.glob(os.path.join(self.b.dir, "evidence", "*.txt"))
        self.assertEqual(len(ev), 1)
        with open(ev[0]) as f:
            text = f.read()
        self.assertIn(self.wait_size(self.a, 3).split("\n\n")[0], text)
        # A longer history that does not extend the one seen: also caught.
        a2.post_objects(c2, h.make_indicators(2, seed=98))
        self.wait_size(a2, 5)
        r = self.b.cli("log", "verify", "--url", a2.url.rsplit("/taxii2",
            1)[0], "--key", self.akey, "--token", tok2, "--tls-pin", pin2)
        self.assertEqual(r.rc, 5, r)
        self.assertIn("not an extension", r.err)


if __name__ == "__main__":
    unittest.main()
