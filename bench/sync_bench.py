#!/usr/bin/env python3
"""sync_bench.py: end-to-end sync throughput between two nodes on loopback.

usage: bench/sync_bench.py [N]      (default 100000 objects)

Starts node A and node B (real binaries, HTTPS on 127.0.0.1), installs an
agreement A -> B (any type, collection bench, up to amber), posts N
indicators into A through TAXII (in envelopes of 5,000), then times
`entente sync --once` on B: every page pulled, validated, judged by the
policy, stored with its log leaves, its delivery leaf recorded, then A's
checkpoint verified with every delivery proved included, and cosigned.
Prints objects/s for both the POST into A (the baseline, same objects,
same machine, same run) and the sync, and their ratio.  Uses the binary
$ENTENTE_BIN (default build/entente).  Not part of make test.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import harness as h  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    a = h.Node("BENCH-A")
    b = h.Node("BENCH-B")
    try:
        a.add_party("BENCH-B", b.whoami()["public_key"])
        b.add_party("BENCH-A", a.whoami()["public_key"])
        f = a.make_agreement([("BENCH-B", b)], [
            "from=SELF,to=BENCH-B,types=*,collections=bench,tlp=amber,"
            "onward=none"], title="bench")
        a.install_agreement(f)
        b.install_agreement(f)
        w = a.whoami()
        r = b.cli("partner", "add", "BENCH-A", "--url",
            a.url.rsplit("/taxii2", 1)[0], "--key", w["public_key"],
            "--token", a.issue_token("BENCH-B"), "--tls-pin", w["tls_pin"])
        assert r.rc == 0, r
        coll = {c["title"]: c["id"] for c in a.get("collections/").body[
            "collections"]}["bench"]
        objs = h.make_indicators(n, seed=99)
        t0 = time.monotonic()
        for i in range(0, n, 5000):
            a.post_objects(coll, objs[i:i + 5000], timeout=600)
        t_post = time.monotonic() - t0
        # Reading every page as B, in Python, without storing: what the
        # serving side costs (query, policy, delivery leaf, TLS).
        tok_b = a.issue_token("BENCH-B")
        t0 = time.monotonic()
        got = a.fetch_all(coll, token=tok_b, limit=1000)
        t_read = time.monotonic() - t0
        assert len(got) == n, len(got)
        t0 = time.monotonic()
        r = b.cli("sync", "--once", timeout=3600)
        t_sync = time.monotonic() - t0
        assert r.rc == 0, r
        print(r.out.strip())
        print("post into A: %d objects in %.2f s: %.0f objects/s" % (
            n, t_post, n / t_post))
        print("read all pages as B (no storing): %.2f s: %.0f objects/s" % (
            t_read, n / t_read))
        print("sync A -> B: %d objects in %.2f s: %.0f objects/s "
              "(%.2fx the POST rate)" % (n, t_sync, n / t_sync,
                                         t_post / t_sync))
    finally:
        for x in (a, b):
            x.stop(check=False)
            x.close()


if __name__ == "__main__":
    main()
