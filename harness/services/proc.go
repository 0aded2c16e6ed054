package services

import "stacklab/harness/proc"

// serverPIDs returns the process tree of the server whose main process the server itself
// reported (mainPID ≤ 0: unknown), when /proc shows it runs exe; else, every process named exe.
// The first way tells two servers of the same kind apart; the second is the fallback when the
// server runs in another PID namespace or does not say.
func serverPIDs(mainPID int, exe string) ([]int, error) {
	if mainPID > 0 {
		if p, ok := proc.Read(mainPID); ok && p.Named(exe) {
			return proc.Tree(mainPID)
		}
	}
	return proc.Named(exe)
}
