#!/bin/sh
# match_bench.sh: the matcher's figures (docs/match.md), in one run.
#
# usage: bench/match_bench.sh [LOG_MB]        (default 1024)
#
# 1. build/bench/bench_match: the real lists of ../shared/data/indicators
#    (ENTENTE_INDICATORS overrides), a generated LOG_MB log with an
#    independent count of its hits, scan throughput on 1 and 2 threads,
#    grep -F on a slice, compile of 10M synthesized indicators.
# 2. The command end to end on the same log: a node gets the same lists
#    as STIX indicators over TAXII (tests/integration/harness.py starts
#    it), then `entente match --count` runs with --threads 1 and 2; the
#    time includes compiling the node's indicators and reading the file.
# Never part of make test.  Needs python3 and ~3 GB of memory.
set -eu
cd "$(dirname "$0")/.."
MB=${1:-1024}
DATA=${ENTENTE_INDICATORS:-../shared/data/indicators}
TMP=${TMPDIR:-/tmp}
if [ ! -r "$DATA/mal_domains_maltrail.txt.xz" ]; then
	echo "match_bench: no indicator lists in $DATA; skipped"
	exit 0
fi
make --no-print-directory build/entente build/bench/bench_match >/dev/null

echo "== build/bench/bench_match --data $DATA --log-mb $MB"
build/bench/bench_match --data "$DATA" --log-mb "$MB"

LOG="$TMP/entente-match-bench/mixed-$MB.log"
echo "== entente match --count on $LOG"
ENTENTE_BIN="$PWD/build/entente" python3 - "$DATA" "$LOG" <<'EOF'
import lzma, os, subprocess, sys, time, uuid
sys.path.insert(0, "tests/integration")
import harness as h

data, log = sys.argv[1], sys.argv[2]
lists = [
    ("mal_domains_maltrail", "[domain-name:value = '%s']"),
    ("susp_domains_maltrail", "[domain-name:value = '%s']"),
    ("mal_domains_ethphishing", "[domain-name:value = '%s']"),
    ("mal_ipv4_maltrail", "[ipv4-addr:value = '%s']"),
    ("mal_ipv4_ipsum", "[ipv4-addr:value = '%s']"),
    ("scanner_ipv4_maltrail", "[ipv4-addr:value = '%s']"),
    ("scanner_cidr4_maltrail", "[ipv4-addr:value ISSUBSET '%s']"),
    ("benign_cidr6_misp", "[ipv6-addr:value ISSUBSET '%s']"),
    ("mal_urls_maltrail", "[url:value = '%s']"),
    ("mal_md5", "[file:hashes.'MD5' = '%s']"),
    ("mal_sha1", "[file:hashes.'SHA-1' = '%s']"),
    ("mal_sha256", "[file:hashes.'SHA-256' = '%s']"),
]
ts = "2024-01-01T00:00:00.000Z"
node = h.Node(name="bench-match")
coll = node.add_collection("Lists")
n, batch, t0 = 0, [], time.monotonic()
for name, pat in lists:
    with lzma.open(os.path.join(data, name + ".txt.xz"), "rt") as f:
        for v in f:
            v = v.strip()
            if not v or "'" in v or "\\" in v:
                continue
            if name == "mal_urls_maltrail" and "://" not in v:
                v = "http://" + v
            n += 1
            batch.append({"type": "indicator", "spec_version": "2.1",
                "id": "indicator--%s" % uuid.UUID(int=n, version=4),
                "created": ts, "modified": ts, "pattern": pat % v,
                "pattern_type": "stix", "valid_from": ts})
            if len(batch) == 1000:
                node.post_objects(coll, batch)
                batch = []
if batch:
    node.post_objects(coll, batch)
print("loaded %d indicators over TAXII in %.0f s" % (n,
    time.monotonic() - t0))
size = os.path.getsize(log)
for threads in ("1", "2"):
    args = [h.BIN, "match", "--dir", node.dir, "--count", "--threads",
        threads, log]
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True)
    t = time.monotonic() - t0
    print("$ entente match --count --threads %s LOG: exit %d, %.1f s, "
        "%.2f GB/s end to end" % (threads, p.returncode, t, size / t / 1e9))
    print("  " + p.stdout.strip())
    print("  " + p.stderr.strip().splitlines()[-1])
node.close()
EOF
