#!/bin/sh
# vs-vegeta.sh: the lab's load generator next to vegeta at the same fixed rate.
#
# Runs vegeta (github.com/tsenart/vegeta/v12 v12.13.0, built with `go install` into a temporary
# directory, never added to go.mod) and loadgen in open-loop mode at RATE req/s against the same
# /bench/plaintext server, alternating which goes first, ROUNDS times, and prints the achieved
# rates and p99s of both. vegeta measures latency from the actual send; loadgen reports both its
# corrected p99 (from the intended send time) and its service-time p99 (from the actual send).
# Both clients run with their default GOMAXPROCS; with PIN=1 the server is pinned to CPU 0 and
# the clients to CPU 1.
#
# Environment (defaults in brackets):
#   RATE [2000]   DURATION seconds [10]   ROUNDS [3]
#   CONNS [16] and MAXCONNS [256]: loadgen's initial connections and cap
#   SERVER [nethttp]: nethttp, canned, or a base URL     PIN [0]: 1 pins as described
#
# Needs jq and go. loadgen's numbers come from its JSON result, which has them whether or not the
# run was valid (its benchmark lines leave an invalid run out).
set -eu

RATE=${RATE:-2000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
MAXCONNS=${MAXCONNS:-256}
SERVER=${SERVER:-nethttp}
PIN=${PIN:-0}

here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")
NAME=vs-vegeta
command -v jq >/dev/null || { echo "vs-vegeta: jq is not installed (apt-get install -y jq)" >&2; exit 1; }
. "$here/common.sh"
(cd "$tmp" && GOWORK=off GOBIN="$tmp" go install github.com/tsenart/vegeta/v12@v12.13.0)

run_vegeta() {
	echo "GET $url/bench/plaintext" | $clicpu "$tmp/vegeta" attack -rate="$RATE/s" -duration="${DURATION}s" \
		-keepalive=true >"$tmp/vegeta.bin"
	"$tmp/vegeta" report -type=text <"$tmp/vegeta.bin" >"$tmp/vegeta.txt"
	# Requests [total, rate, throughput]  20000, 2000.05, 1999.98
	# Latencies [min, mean, 50, 90, 95, 99, max]  a, b, c, d, e, f, g
	sent=$(awk '/^Requests/ {sub(/.*\][ \t]+/, ""); split($0, a, /, */); print a[2]}' "$tmp/vegeta.txt")
	done_=$(awk '/^Requests/ {sub(/.*\][ \t]+/, ""); split($0, a, /, */); print a[3]}' "$tmp/vegeta.txt")
	p50=$(awk '/^Latencies/ {sub(/.*\][ \t]+/, ""); split($0, a, /, */); print a[3]}' "$tmp/vegeta.txt")
	p99=$(awk '/^Latencies/ {sub(/.*\][ \t]+/, ""); split($0, a, /, */); print a[6]}' "$tmp/vegeta.txt")
	ok=$(awk '/^Success/ {print $NF}' "$tmp/vegeta.txt")
	printf '  vegeta   sent %8.1f/s  ok %8.1f/s  p50 %-9s p99 %-9s success %s\n' "$sent" "$done_" "$p50" "$p99" "$ok"
}

run_loadgen() {
	rc=0
	$clicpu "$tmp/loadgen" -url "$url" -workload plaintext -rate "$RATE" -duration "${DURATION}s" \
		-conns "$CONNS" -max-conns "$MAXCONNS" -q -summary "" -json "$tmp/lg.json" 2>"$tmp/lg.err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "vs-vegeta: loadgen failed ($rc):" >&2; cat "$tmp/lg.err" >&2; exit 1; }
	ms() { jq -r "$1 / 1e6" "$tmp/lg.json" | awk '{printf "%.3fms", $1}'; }
	printf '  loadgen  sent %8.1f/s  ok %8.1f/s  p50 %-9s p99 %-9s service p50 %s p99 %s errors/op %s valid %s\n' \
		"$(jq -r '.sent_rate' "$tmp/lg.json")" "$(jq -r '.all.rate' "$tmp/lg.json")" \
		"$(ms .all.corrected.p50_ns)" "$(ms .all.corrected.p99_ns)" "$(ms .all.service.p50_ns)" "$(ms .all.service.p99_ns)" \
		"$(jq -r '.all.error_rate' "$tmp/lg.json")" "$(jq -r '.valid' "$tmp/lg.json")"
	jq -r '.invalid_reasons[] | "           # invalid: " + .' "$tmp/lg.json"
}

echo "vs-vegeta: $ROUNDS rounds of ${DURATION}s at $RATE req/s, server $SERVER at $url${srvcpu:+ (server on CPU 0, clients on CPU 1)}"
i=1
while [ "$i" -le "$ROUNDS" ]; do
	echo "round $i"
	if [ $((i % 2)) = 1 ]; then run_vegeta; run_loadgen; else run_loadgen; run_vegeta; fi
	i=$((i + 1))
done
