#!/usr/bin/env bash
# make bench: the parts' microbenchmarks, one dimension at a time, printed as benchstat tables with
# the dimension's parts as columns. Runs under `harness exec` (DATABASE_URL, REDIS_URL set).
#
# Each round runs every part of a dimension once (-count 1), and the rounds repeat COUNT times, so
# the parts are measured side by side, interleaved, and drift hits them alike. The benchmark
# binary runs on the last CPU and PostgreSQL/Redis wherever the machine puts them.
#   COUNT=6 BENCHTIME=1s make bench        (defaults)
#   DIMS="json redis" make bench           (some dimensions only)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-6}
benchtime=${BENCHTIME:-1s}
dims=${DIMS:-"http store json redis"}
out=lab-results/bench
mkdir -p "$out"
last=$(( $(nproc) - 1 ))

# dimension → package and benchmark (the registry's keys; the benchmarks range over the registry)
declare -A pkg=([http]=./stacks/transport [store]=./stacks/store [json]=./stacks/codec [redis]=./stacks/cache)
declare -A bench=([http]=BenchmarkTransport [store]=BenchmarkStore [json]=BenchmarkCodec [redis]=BenchmarkCache)

for dim in $dims; do
  [[ -n "${pkg[$dim]:-}" ]] || { echo "bench: no benchmark for dimension $dim" >&2; exit 2; }
  file="$out/$dim.txt"
  : > "$file"
  bin="$out/$dim.test"
  go test -c -ldflags=-checklinkname=0 -o "$bin" "${pkg[$dim]}"
  for round in $(seq "$count"); do
    echo "bench: $dim round $round of $count" >&2
    (cd "${pkg[$dim]}" && taskset -c "$last" "$OLDPWD/$bin" -test.run '^$' -test.bench "^${bench[$dim]}\$" \
      -test.benchmem -test.count 1 -test.benchtime "$benchtime") >> "$file"
  done
  rm -f "$bin"
  echo
  echo "== $dim: ${bench[$dim]} (${pkg[$dim]}), $count interleaved rounds; columns are the parts"
  go -C results tool benchstat -col "/$dim" "$PWD/$file"
done
