"""`entente demo`: the three-party network `make run` starts (docs/demo.md).

The first run (`--once --json --small`) creates CERT-North, CERT-South and
Energy-ISAC, two agreements, loads ATT&CK for ICS and indicators into
North, syncs South from North and ISAC from South, prints a JSON summary
and stops.  Checked against that summary and, independently, against the
nodes themselves (their servers started again by this test, read over
TAXII with fresh admin tokens):

  - South holds exactly North's objects in grid-threats and
    north-internal;
  - ISAC holds exactly North's clear and green indicators of grid-threats,
    byte for byte, nothing amber, nothing of north-internal;
  - both syncs verified the partner's log and cosigned it (the cosignature
    is in the partner's checkpoint);
  - `policy explain` on South says why ISAC did not get an amber indicator
    (TLP 2.0) or a north-internal one (onward none);
  - no process is left running.

A second run on the same directory (ephemeral ports again, so the partners'
URLs change) reuses the nodes, loads nothing, keeps serving with
background sync, and stops cleanly on SIGINT (exit 0, no process left).
"""

import http.client
import json
import os
import re
import select
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest

import harness as h

DATA = os.path.join(h.REPO_ROOT, "tests", "data")
TLP = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
}
PARTIES = ("CERT-North", "CERT-South", "Energy-ISAC")


def demo_args(d, *extra):
    return [h.BIN, "demo", "--dir", d, "--port", "0", "--json", "--small",
        "--data", DATA] + list(extra)


def alive(pid):
    """True when pid is a live process (not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def procs_under(path):
    """Pids of processes whose command line names path."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if path in cmd and alive(int(p)):
            found.append((int(p), cmd.replace("\0", " ")))
    return found


def tlp_of(o):
    for m in o.get("object_marking_refs", []):
        if m in TLP:
            return TLP[m]
    return None


def attach(node_dir, name, scratch):
    """A harness Node for an existing node directory (no init): a fresh
    admin token, then its server started on an ephemeral port."""
    r = h.run("token", "issue", name, "--dir", node_dir)
    if r.rc != 0:
        raise AssertionError("token issue failed: %r" % r)
    n = h.Node.__new__(h.Node)
    n.tmp = tempfile.mkdtemp(prefix="serve-", dir=scratch)
    n.dir = node_dir
    n.name = name
    n.tls = True
    n.proc = None
    n.starts = 0
    n.url = n.host = n.port = None
    n._conn = None
    n.admin_token = r.last_line
    h._live_nodes.add(n)
    n.start()
    return n


def by_title(node):
    r = node.get("collections/")
    return {c["title"]: c["id"] for c in r.body.get("collections", [])}


class DemoTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="entente-demo-")
        cls.dir = os.path.join(cls.tmp, "demo")
        t0 = time.monotonic()
        p = subprocess.run(demo_args(cls.dir, "--once"),
            stdin=subprocess.DEVNULL, capture_output=True, timeout=180)
        cls.seconds = time.monotonic() - t0
        cls.rc = p.returncode
        cls.out = p.stdout.decode("utf-8", "replace")
        cls.err = p.stderr.decode("utf-8", "replace")
        try:
            cls.j = json.loads(cls.out)
        except ValueError:
            cls.j = None

    @classmethod
    def tearDownClass(cls):
        for pid, _ in procs_under(cls.tmp):
            os.kill(pid, signal.SIGKILL)
        if not os.environ.get("ENTENTE_KEEP_TMP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def summary(self):
        self.assertEqual(self.rc, 0, "demo exited %s\nstderr:\n%s" % (
            self.rc, self.err[-6000:]))
        self.assertIsNotNone(self.j, "stdout is not one JSON object:\n%s"
            % self.out[-2000:])
        return self.j

    def test_1_first_run(self):
        j = self.summary()
        self.assertTrue(j["first_run"])
        self.assertTrue(j["ok"], self.err[-4000:])
        self.assertFalse(j["serving"])
        self.assertEqual([n["party"] for n in j["nodes"]], list(PARTIES))
        for n in j["nodes"]:
            self.assertTrue(re.match(r"^https://127\.0\.0\.1:\d+/taxii2/$",
                n["url"]), n)
            self.assertTrue(n["admin_token"].startswith("ent_"), n)
        att = j["loaded"]["attack"]
        self.assertGreater(att["objects"], 1000)
        self.assertEqual(att["accepted"], att["objects"])
        # --small: 20 of each of three lists into grid-threats, TLP clear,
        # green and amber in turn.
        g = j["loaded"]["grid-threats"]
        self.assertEqual(g["clear"] + g["green"] + g["amber"], 60, g)
        self.assertTrue(all(g[t] > 0 for t in ("clear", "green", "amber")))
        self.assertLess(self.seconds, 60, "the demo took %.1fs" %
            self.seconds)

    def test_2_summary_counts(self):
        j = self.summary()
        hold = j["holdings"]
        north, south, isac = (hold[p] for p in PARTIES)
        self.assertEqual(set(north), {"grid-threats", "north-internal"})
        # South holds everything North has, in both collections.
        self.assertEqual(south, north)
        # What North holds is what was loaded.
        ng = north["grid-threats"]
        loaded = j["loaded"]
        for t in ("clear", "green", "amber"):
            self.assertEqual(ng["indicators_tlp"][t],
                loaded["grid-threats"][t], t)
            self.assertEqual(north["north-internal"]["indicators_tlp"][t],
                loaded["north-internal"][t], t)
        self.assertEqual(ng["objects"], ng["indicators"] +
            loaded["attack"]["accepted"])
        # ISAC: exactly North's clear and green indicators of grid-threats.
        self.assertEqual(set(isac), {"grid-threats"})
        ig = isac["grid-threats"]
        want = loaded["grid-threats"]["clear"] + \
            loaded["grid-threats"]["green"]
        self.assertEqual(ig["objects"], want, ig)
        self.assertEqual(ig["indicators"], want, ig)
        self.assertEqual(ig["tlp"]["clear"], loaded["grid-threats"]["clear"])
        self.assertEqual(ig["tlp"]["green"], loaded["grid-threats"]["green"])
        for t in ("amber", "amber+strict", "red", "none"):
            self.assertEqual(ig["tlp"][t], 0, t)

    def test_3_nodes_hold_it(self):
        """The same, asked of the nodes themselves over TAXII."""
        self.summary()
        nodes = []
        try:
            for slug, name in zip(("north", "south", "isac"), PARTIES):
                nodes.append(attach(os.path.join(self.dir, slug), name,
                    self.tmp))
            north, south, isac = nodes
            cn, cs, ci = by_title(north), by_title(south), by_title(isac)
            ng = {o["id"]: o for o in north.fetch_all(cn["grid-threats"])}
            ni = {o["id"] for o in north.fetch_all(cn["north-internal"])}
            self.assertEqual({o["id"] for o in
                south.fetch_all(cs["grid-threats"])}, set(ng))
            self.assertEqual({o["id"] for o in
                south.fetch_all(cs["north-internal"])}, ni)
            self.assertNotIn("north-internal", ci)
            got = {o["id"]: o for o in isac.fetch_all(ci["grid-threats"])}
            ident = h.identity_of(north.whoami()["public_key"])
            want = {i for i, o in ng.items() if o["type"] == "indicator" and
                tlp_of(o) in ("clear", "green")}
            self.assertTrue(want)
            self.assertEqual(set(got), want)
            for i in want:
                self.assertEqual(h.canonical(got[i]), h.canonical(ng[i]))
                self.assertEqual(got[i]["created_by_ref"], ident)
        finally:
            for n in nodes:
                try:
                    n.stop(check=False)
                finally:
                    n.close()

    def test_4_logs_verified_and_cosigned(self):
        j = self.summary()
        syncs = {s["node"]: s for s in j["sync"]}
        for node, partner in (("CERT-South", "CERT-North"),
                ("Energy-ISAC", "CERT-South")):
            s = syncs[node]
            self.assertEqual(s["exit"], 0, s)
            rep = {r["partner"]: r for r in s["partners"]}[partner]
            self.assertEqual(rep["state"], "ok", rep)
            self.assertTrue(rep["cosigned"], rep)
            self.assertGreater(rep["log_size"], 0, rep)
            self.assertGreaterEqual(rep["deliveries_proved"], 1, rep)
            self.assertGreater(rep["added"], 0, rep)
        # The cosignatures are in the partners' checkpoints.
        for slug, by in (("north", "south"), ("south", "isac")):
            r = h.run("log", "checkpoint", "--dir", os.path.join(self.dir,
                slug))
            self.assertEqual(r.rc, 0, r)
            self.assertIn("\n\u2014 %s.demo.example/entente/log " % by,
                r.out, r)

    def test_5_explained(self):
        ex = self.summary()["explain"]

        def decision(case):
            self.assertEqual(ex[case]["exit"], 0, ex[case])
            ds = ex[case]["result"]["decisions"]
            self.assertEqual(len(ds), 1, ds)
            return ds[0]
        self.assertTrue(decision("green")["allowed"])
        amber = decision("amber")
        self.assertFalse(amber["allowed"])
        self.assertTrue(any("TLP:AMBER" in r or "TLP:amber" in r
            for r in amber["reasons"]), amber)
        internal = decision("internal")
        self.assertFalse(internal["allowed"])
        self.assertEqual(internal["collection"], "north-internal")
        self.assertTrue(any('onward "none"' in r
            for r in internal["reasons"]), internal)
        pattern = decision("attack_pattern")
        self.assertFalse(pattern["allowed"])
        self.assertTrue(any('"attack-pattern" is not in types' in r
            for r in pattern["reasons"]), pattern)
        # The human form says the same on stderr (--json).
        self.assertIn("DENY north-internal", self.err)

    def test_6_nothing_left_running(self):
        j = self.summary()
        for n in j["nodes"]:
            self.assertFalse(alive(n["pid"]), n)
        self.assertEqual(procs_under(self.tmp), [])

    def test_7_rerun_serves_until_sigint(self):
        self.summary()
        errpath = os.path.join(self.tmp, "rerun.stderr")
        with open(errpath, "wb") as errf:
            p = subprocess.Popen(demo_args(self.dir),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=errf)
        try:
            line = b""
            deadline = time.monotonic() + 120
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                self.assertGreater(left, 0, "no summary in time")
                r, _, _ = select.select([p.stdout], [], [], left)
                if r:
                    b = os.read(p.stdout.fileno(), 1 << 20)
                    if not b:
                        break
                    line += b
            with open(errpath, "rb") as f:
                err = f.read().decode("utf-8", "replace")
            self.assertTrue(line, "demo exited %s:\n%s" % (p.poll(),
                err[-4000:]))
            j = json.loads(line)
            self.assertFalse(j["first_run"])
            self.assertNotIn("loaded", j)
            self.assertTrue(j["serving"])
            self.assertTrue(j["ok"], err[-4000:])
            # The ports changed: the partners were recorded again, and the
            # pull found everything already there.
            self.assertIn("recording it again", err)
            for s in j["sync"]:
                for rep in s["partners"]:
                    self.assertEqual(rep["state"], "ok", rep)
                    self.assertEqual(rep["added"], 0, rep)
                    self.assertTrue(rep["cosigned"], rep)
            self.assertEqual(j["holdings"], self.j["holdings"])
            pids = [n["pid"] for n in j["nodes"]]
            for pid in pids:
                self.assertTrue(alive(pid), pid)
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    self.assertIn(b"--sync-every\x0010s", f.read())
            # The URLs, certificates and admin tokens printed work.
            for n in j["nodes"]:
                m = re.match(r"^https://([0-9.]+):(\d+)/taxii2/$", n["url"])
                self.assertTrue(m, n)
                conn = http.client.HTTPSConnection(m.group(1),
                    int(m.group(2)), timeout=30,
                    context=ssl.create_default_context(cafile=n["cacert"]))
                try:
                    conn.request("GET", "/taxii2/api/collections/",
                        headers={"Accept": h.TAXII_MEDIA, "Authorization":
                        "Bearer " + n["admin_token"]})
                    resp = conn.getresponse()
                    body = json.loads(resp.read())
                finally:
                    conn.close()
                self.assertEqual(resp.status, 200, n)
                self.assertEqual({c["title"] for c in body["collections"]},
                    set(j["holdings"][n["party"]]), n)
            p.send_signal(signal.SIGINT)
            rc = p.wait(timeout=60)
            with open(errpath, "rb") as f:
                err = f.read().decode("utf-8", "replace")
            self.assertEqual(rc, 0, err[-4000:])
            self.assertIn("Stopped.", err)
            for pid in pids:
                self.assertFalse(alive(pid), pid)
            self.assertEqual(procs_under(self.tmp), [])
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stdout.close()

    def test_8_refusals(self):
        # A directory that is not a finished demo: refused, nothing run.
        d = os.path.join(self.tmp, "other")
        os.makedirs(d)
        with open(os.path.join(d, "file"), "w") as f:
            f.write("x\n")
        r = h.run("demo", "--dir", d, "--port", "0", "--once")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("rm -rf", r.out + r.err)
        self.assertEqual(sorted(os.listdir(d)), ["file"])
        r = h.run("demo", "--port", "65534")
        self.assertEqual(r.rc, 2, r)
        r = h.run("demo", "extra")
        self.assertEqual(r.rc, 2, r)


if __name__ == "__main__":
    unittest.main()
