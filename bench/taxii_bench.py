#!/usr/bin/env python3
"""TAXII server benchmarks for entente (issue: node foundation).

Starts a fresh node on 127.0.0.1 (HTTPS, an ephemeral port, a temp dir) and
measures, in one run so that ratios compare like with like:

  1. ingest of N indicators (default 1,000,000) POSTed in 1,000-object
     envelopes over one keep-alive HTTPS connection: objects/s over the
     whole run and over the first and last 100,000 (server time only: the
     envelopes are generated before each request is timed);
  2. GET of a 10-object page at concurrency 1, 16 and 64 with keep-alive
     (wrk): requests/s and p99, with GET /taxii2/ (discovery, no store
     access) at the same concurrency as the baseline;
  3. a filtered, paged query on the full collection (match[type] with two
     types, match[version]=last, added_after at random points, limit=100):
     p50 and p99 over sequential requests, and following `next` pages;
  4. the server's RSS (VmRSS) and peak RSS (VmHWM) at the end.

Usage: python3 bench/taxii_bench.py [--objects N] [--seconds S]
Prints every figure with the command that produced it.
"""
import argparse
import calendar
import http.client
import json
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("ENTENTE_BIN", os.path.join(ROOT, "build", "entente"))
TAXII = "application/taxii+json;version=2.1"


def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True,
                          text=True).stdout


def start_node(tmp):
    d = os.path.join(tmp, "node")
    token = run("init", "--dir", d, "--name", "bench").strip().splitlines()[-1]
    coll = run("collection", "add", "--dir", d, "--title",
               "bench").strip().splitlines()[-1]
    p = subprocess.Popen([BIN, "serve", "--dir", d, "--listen",
                          "127.0.0.1:0"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("serving "):
        raise SystemExit("serve did not start: %r" % line)
    url = line.split()[1]
    port = int(url.split(":")[2].split("/")[0])
    return d, token, coll, p, port


def indicator(i, now):
    ip = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--%s",'
            '"created":"%s","modified":"%s","name":"bench indicator %d",'
            '"description":"Generated for the ingest benchmark",'
            '"indicator_types":["malicious-activity"],'
            '"pattern":"[ipv4-addr:value = \'%s\']","pattern_type":"stix",'
            '"valid_from":"%s","labels":["bench"],'
            '"object_marking_refs":["marking-definition--55d920b0-5e8b-'
            '4f79-9ee9-91f868d9b421"]}' % (uuid.UUID(int=i + 1, version=4),
                                           now, now, i, ip, now))


def bench_ingest(conn, token, coll, n, per=1000):
    now = "2026-01-01T00:00:00.000Z"
    path = "/taxii2/api/collections/%s/objects/" % coll
    hdr = {"Authorization": "Bearer " + token, "Accept": TAXII,
           "Content-Type": TAXII}
    times = []
    for start in range(0, n, per):
        body = ('{"objects":[' + ",".join(indicator(i, now) for i in
                range(start, min(n, start + per))) + "]}").encode()
        t0 = time.perf_counter()
        conn.request("POST", path, body=body, headers=hdr)
        r = conn.getresponse()
        data = r.read()
        times.append(time.perf_counter() - t0)
        if r.status != 202:
            raise SystemExit("POST failed: %d %s" % (r.status, data[:300]))
        st = json.loads(data)
        if st["success_count"] != min(per, n - start):
            raise SystemExit("objects refused: %s" % data[:500])
    k = min(max(1, 100000 // per), len(times))
    return (n / sum(times), k * per / sum(times[:k]),
            k * per / sum(times[-k:]), len(times))


def bench_ingest_parallel(port, ctx, token, coll, n, start, clients):
    """n more indicators from `clients` connections at once: objects/s."""
    import threading
    now = "2026-01-01T00:00:00.000Z"
    path = "/taxii2/api/collections/%s/objects/" % coll
    hdr = {"Authorization": "Bearer " + token, "Accept": TAXII,
           "Content-Type": TAXII}
    bodies = [('{"objects":[' + ",".join(indicator(i, now) for i in
               range(s, s + 1000)) + "]}").encode()
              for s in range(start, start + n, 1000)]
    errors = []

    def worker(part):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                        timeout=120)
        for b in part:
            c.request("POST", path, body=b, headers=hdr)
            r = c.getresponse()
            r.read()
            if r.status != 202:
                errors.append(r.status)
        c.close()
    ts = [threading.Thread(target=worker, args=(bodies[i::clients],))
          for i in range(clients)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise SystemExit("parallel POST failed: %r" % errors[:5])
    return n / (time.perf_counter() - t0)


def wrk(port, token, path, conns, seconds):
    cmd = ["wrk", "-t", str(min(2, conns)), "-c", str(conns), "-d",
           "%ds" % seconds, "--latency", "-H", "Authorization: Bearer " + token,
           "-H", "Accept: " + TAXII, "https://127.0.0.1:%d%s" % (port, path)]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rps = p99 = None
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            rps = float(line.split()[1])
        if line.strip().startswith("99%"):
            v = line.split()[1]
            mult = {"us": 1e-3, "ms": 1, "s": 1e3}
            for u in ("us", "ms", "s"):
                if v.endswith(u):
                    p99 = float(v[:-len(u)]) * mult[u]
                    break
    if "Non-2xx" in out:
        raise SystemExit("wrk saw errors:\n" + out)
    return rps, p99, " ".join(c if " " not in c else "'%s'" % c
                              for c in cmd).replace(token, "$TOKEN")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def bench_filtered(conn, token, coll, requests):
    hdr = {"Authorization": "Bearer " + token, "Accept": TAXII}
    base = "/taxii2/api/collections/%s/objects/" % coll
    # The range of date_added: the first object's, and now (the last).
    conn.request("GET", base + "?limit=1", headers=hdr)
    r = conn.getresponse(); r.read()
    first = r.getheader("X-TAXII-Date-Added-First")
    t_first = calendar.timegm(time.strptime(first[:19], "%Y-%m-%dT%H:%M:%S"))
    t_last = time.time()
    lat, pages = [], 0
    rnd = random.Random(7)
    for i in range(requests):
        # added_after at a random point of the collection's history, and
        # the following page through `next`.
        t = rnd.uniform(t_first, t_last)
        after = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + (
            ".%06dZ" % int((t % 1) * 1e6))
        q = ("?match[type]=indicator,malware&match[version]=last"
             "&added_after=%s&limit=100" % after)
        t0 = time.perf_counter()
        conn.request("GET", base + q, headers=hdr)
        r = conn.getresponse(); data = r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit("filtered GET: %d %s" % (r.status, data[:200]))
        env = json.loads(data)
        if env.get("more"):
            t0 = time.perf_counter()
            conn.request("GET", base + q + "&next=" + env["next"],
                         headers=hdr)
            r = conn.getresponse(); r.read()
            lat.append((time.perf_counter() - t0) * 1000)
            pages += 1
    return pct(lat, 0.5), pct(lat, 0.99), len(lat)


def rss(pid):
    vals = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                vals[k] = int(v.split()[0]) / 1024
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--filtered", type=int, default=2000)
    ap.add_argument("--per-envelope", type=int, default=1000)
    ap.add_argument("--ingest-only", action="store_true",
                    help="only the one-connection ingest, then RSS")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="entente-bench-")
    p = None
    try:
        d, token, coll, p, port = start_node(tmp)
        ctx = ssl.create_default_context(cafile=os.path.join(d, "tls.crt"))
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                           timeout=120)
        print("# entente TAXII benchmarks (%s, %d CPUs)" %
              (time.strftime("%Y-%m-%d"), os.cpu_count()))
        print("# command: python3 bench/taxii_bench.py --objects %d "
              "--seconds %d --filtered %d --per-envelope %d%s" % (
              a.objects, a.seconds, a.filtered, a.per_envelope,
              " --ingest-only" if a.ingest_only else ""))
        total, first, last, n_env = bench_ingest(conn, token, coll, a.objects,
                                                 a.per_envelope)
        print("ingest: %d indicators in %d envelopes of %d over HTTPS"
              % (a.objects, n_env, a.per_envelope))
        print("  objects/s overall      %10.0f" % total)
        print("  objects/s first 100k   %10.0f" % first)
        print("  objects/s last 100k    %10.0f" % last)
        print("  ratio last/first       %10.2f" % (last / first))
        if a.ingest_only:
            r = rss(p.pid)
            print("serve RSS at %d objects: %.1f MB (peak %.1f MB)" %
                  (a.objects, r["VmRSS"], r["VmHWM"]))
            return
        par = bench_ingest_parallel(port, ctx, token, coll, 100000,
                                    a.objects, 2)
        print("  then 100,000 more from 2 connections at once (collection "
              "at %d): %.0f objects/s" % (a.objects, par))
        print("GET 10-object page, keep-alive, %ds per point (wrk):" %
              a.seconds)
        page = "/taxii2/api/collections/%s/objects/?limit=10" % coll
        for c in (1, 16, 64):
            brps, bp99, _ = wrk(port, token, "/taxii2/", c, a.seconds)
            rps, p99, cmd = wrk(port, token, page, c, a.seconds)
            print("  c=%-3d objects %8.0f req/s p99 %7.2f ms | discovery "
                  "%8.0f req/s p99 %7.2f ms | ratio %.2f" %
                  (c, rps, p99, brps, bp99, rps / brps))
        print("  command: " + cmd)
        conn.close()    # idle past the server's timeout during wrk
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                           timeout=120)
        p50, p99, n = bench_filtered(conn, token, coll, a.filtered)
        print("filtered paged query on %d objects (match[type] x2, "
              "match[version]=last, added_after, limit=100, + next page):"
              % (a.objects + 100000))
        print("  %d requests: p50 %.2f ms, p99 %.2f ms" % (n, p50, p99))
        r = rss(p.pid)
        print("serve RSS at %d objects: %.1f MB (peak %.1f MB)" %
              (a.objects + 100000, r["VmRSS"], r["VmHWM"]))
        conn.close()
    finally:
        if p is not None:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
