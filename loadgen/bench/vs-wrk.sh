#!/bin/sh
# vs-wrk.sh: is the lab's load generator as fast as wrk?
#
# Runs wrk (Debian package) and loadgen in closed-loop mode against the same /bench/plaintext
# server with the same connection count, alternating which goes first, ROUNDS times, and prints
# every round, both medians and the ratio loadgen/wrk. loadgen records its full HDR histograms
# while doing so. With two or more CPUs the server is pinned to CPU 0 and each client, with one
# thread (wrk -t1, GOMAXPROCS=1), to CPU 1, so the clients compete on equal terms.
#
# Environment (defaults in brackets):
#   ROUNDS [5]   CONNS [64]   DURATION seconds per run [5]
#   SERVER [canned]: canned (benchsrv -canned, the cheapest server: the client is the bottleneck),
#                    nethttp (benchsrv on net/http), or a base URL of a running server
#   PIN [1]: 0 disables CPU pinning
#
# Called by `make bench-loadgen`; needs wrk (apt-get install -y wrk), jq and go. loadgen's numbers
# come from its JSON result, which has them whether or not the run was valid (its benchmark lines
# leave an invalid run out).
set -eu

ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-64}
DURATION=${DURATION:-5}
SERVER=${SERVER:-canned}
PIN=${PIN:-1}

here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")
command -v wrk >/dev/null || { echo "vs-wrk: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
command -v jq >/dev/null || { echo "vs-wrk: jq is not installed (apt-get install -y jq)" >&2; exit 1; }

NAME=vs-wrk
. "$here/common.sh"

run_wrk() {
	$clicpu wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url/bench/plaintext" >"$tmp/wrk.txt"
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
	p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
	errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$tmp/wrk.txt")
	echo "$rps" >>"$tmp/wrk.rps"
	printf '  wrk      %10.0f req/s  p99 %-8s %s\n' "$rps" "$p99" "$errs"
}

run_loadgen() {
	rc=0
	GOMAXPROCS=1 $clicpu "$tmp/loadgen" -url "$url" -workload plaintext -mode closed -conns "$CONNS" \
		-duration "${DURATION}s" -q -summary "" -json "$tmp/lg.json" 2>"$tmp/lg.err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "vs-wrk: loadgen failed ($rc):" >&2; cat "$tmp/lg.err" >&2; exit 1; }
	rps=$(jq -r '.all.rate' "$tmp/lg.json")
	p99=$(jq -r '"\(.all.corrected.p99_ns / 1e6 * 100 | round / 100)ms"' "$tmp/lg.json")
	errs=$(jq -r '.all.error_rate' "$tmp/lg.json")
	valid=$(jq -r '.valid' "$tmp/lg.json")
	echo "$rps" >>"$tmp/lg.rps"
	printf '  loadgen  %10.0f req/s  p99 %-8s errors/op %s valid %s\n' "$rps" "$p99" "$errs" "$valid"
	jq -r '.invalid_reasons[] | "           # invalid: " + .' "$tmp/lg.json"
}

median() {
	sort -n "$1" | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

echo "vs-wrk: $ROUNDS rounds of ${DURATION}s, $CONNS connections, one client thread each, server $SERVER at $url${srvcpu:+ (server on CPU 0, clients on CPU 1)}"
i=1
while [ "$i" -le "$ROUNDS" ]; do
	echo "round $i"
	if [ $((i % 2)) = 1 ]; then run_wrk; run_loadgen; else run_loadgen; run_wrk; fi
	i=$((i + 1))
done
w=$(median "$tmp/wrk.rps")
l=$(median "$tmp/lg.rps")
awk -v w="$w" -v l="$l" 'BEGIN {printf "median: wrk %.0f req/s, loadgen %.0f req/s, ratio loadgen/wrk %.2f\n", w, l, l / w}'
