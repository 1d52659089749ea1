"""Concurrent writers and readers on one collection.

Several clients post envelopes at the same time while others page through
the collection.  Every POST is accepted (no 5xx from a busy database),
every object is stored once, dates added stay unique and ordered, and a
reader paging with `next` while writes land never sees an object twice.
"""

import threading
import unittest

import harness as h

WRITERS = 6
ENVELOPES = 10
PER_ENVELOPE = 100


class ConcurrencyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = h.Node(name="cert-busy")
        cls.coll = cls.node.add_collection("Busy")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.node.stop()
        finally:
            cls.node.close()

    def test_parallel_writers_and_readers(self):
        errors = []
        posted = [[] for _ in range(WRITERS)]
        done = threading.Event()

        def writer(w):
            try:
                objs = h.make_indicators(ENVELOPES * PER_ENVELOPE,
                    seed=1000 + w)
                for part in h.chunks(objs, PER_ENVELOPE):
                    r = self.node.request("POST", "collections/%s/objects/" %
                        self.coll, body={"objects": part})
                    if r.status != 202 or r.body.get("success_count") != \
                            len(part):
                        errors.append("writer %d: %r" % (w, r))
                        return
                    posted[w].extend(o["id"] for o in part)
            except Exception as e:  # reported below
                errors.append("writer %d: %r" % (w, e))

        def reader(k):
            try:
                while not done.is_set():
                    seen = set()
                    nxt = None
                    while True:
                        params = {"limit": 150}
                        if nxt:
                            params["next"] = nxt
                        r = self.node.get("collections/%s/objects/" %
                            self.coll, params=params)
                        if r.status != 200:
                            errors.append("reader %d: %r" % (k, r))
                            return
                        for o in r.body.get("objects", []):
                            if o["id"] in seen:
                                errors.append("reader %d saw %s twice" % (
                                    k, o["id"]))
                                return
                            seen.add(o["id"])
                        if not r.body.get("more"):
                            break
                        nxt = r.body.get("next")
            except Exception as e:
                errors.append("reader %d: %r" % (k, e))

        threads = [threading.Thread(target=writer, args=(w,))
            for w in range(WRITERS)]
        readers = [threading.Thread(target=reader, args=(k,))
            for k in range(2)]
        for t in readers + threads:
            t.start()
        for t in threads:
            t.join(120)
        done.set()
        for t in readers:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertTrue(self.node.running(), self.node.stderr_tail())

        recs = self.node.fetch_all(self.coll, "manifest/", limit=1000)
        ids = [x["id"] for x in recs]
        want = [i for p in posted for i in p]
        self.assertEqual(len(want), WRITERS * ENVELOPES * PER_ENVELOPE)
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(want))
        dates = [h.ts_us(x["date_added"]) for x in recs]
        self.assertEqual(dates, sorted(dates))
        self.assertEqual(len(set(dates)), len(dates))
        # Each writer's envelopes went in one after the other.
        pos = {i: n for n, i in enumerate(ids)}
        for p in posted:
            for a, b in zip(p[PER_ENVELOPE - 1::PER_ENVELOPE],
                    p[PER_ENVELOPE::PER_ENVELOPE]):
                self.assertLess(pos[a], pos[b])


if __name__ == "__main__":
    unittest.main()
