#!/usr/bin/env bash
# make fuzz: every fuzz target of the lab (go test -fuzz), FUZZTIME each (default 30s), one after
# the other; the seed corpora under each package's testdata/fuzz run in every plain `go test`.
# A failure stops the run and leaves the failing input in that package's testdata/fuzz.
#   FUZZTIME=5m make fuzz
#   FUZZ=httpwire make fuzz          (only packages whose path holds the word)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
export GOFLAGS=-ldflags=-checklinkname=0
run_targets() { # $1: GOEXPERIMENT value, rest: packages
  local exp=$1; shift
  for pkg in "$@"; do
    [[ -z "${FUZZ:-}" || "$pkg" == *"$FUZZ"* ]] || continue
    for target in $(GOEXPERIMENT=$exp go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      echo "== fuzzing $pkg $target for $fuzztime${exp:+ (GOEXPERIMENT=$exp)}"
      GOEXPERIMENT=$exp go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" "$pkg"
    done
  done
}
pkgs=$(grep -rl --include='*_test.go' '^func Fuzz' ledgerspec stacks loadgen results harness | xargs -n1 dirname | sort -u | sed 's|^|./|')
run_targets "" $pkgs
# The jsonv2 codec exists only under its experiment.
run_targets jsonv2 ./stacks/codec/jsonv2 ./stacks/codec
