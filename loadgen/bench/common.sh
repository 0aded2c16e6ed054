# common.sh: the set-up shared by the bench scripts, sourced after NAME, SERVER and PIN are set.
# It makes a temporary folder (removed on exit, with the server), builds loadgen and benchsrv into
# it, chooses the CPU pinning (srvcpu, clicpu), and starts the server SERVER names, setting url.

tmp=$(mktemp -d)
srvpid=""
cleanup() {
	if [ -n "$srvpid" ]; then kill "$srvpid" 2>/dev/null || true; wait "$srvpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

(cd "$module" && go build -o "$tmp/loadgen" ./cmd/loadgen && go build -o "$tmp/benchsrv" ./cmd/benchsrv)

srvcpu="" clicpu=""
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	srvcpu="taskset -c 0" clicpu="taskset -c 1"
fi

case "$SERVER" in
http://*) url=$SERVER ;;
canned | nethttp)
	flag=""
	[ "$SERVER" = canned ] && flag=-canned
	$srvcpu "$tmp/benchsrv" -addr 127.0.0.1:0 $flag >"$tmp/srv.log" 2>&1 &
	srvpid=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q "serving on" "$tmp/srv.log" && break
		sleep 0.2
	done
	url=$(sed -n 's/.*serving on \(http:[^ ]*\).*/\1/p' "$tmp/srv.log")
	[ -n "$url" ] || { echo "$NAME: benchsrv did not start:" >&2; cat "$tmp/srv.log" >&2; exit 1; }
	;;
*) echo "$NAME: SERVER must be canned, nethttp or http://host:port" >&2; exit 1 ;;
esac
