// Package spool is the lab's local store of runs: a folder holding one JSON file per run, the
// results.Run exactly as the harness recorded it. The spool is always written first; every other
// sink (ClickHouse) is a copy made from it, now or later.
//
// Layout of a spool folder:
//
//	<run-id>.json                  the run (results.Run as indented JSON)
//	<run-id>.published-<sink>      a marker: the run is in that sink (its content: when, and the sink)
//	.<name>.tmp-*                  a file being written; never read, left behind only by a crash
//
// Every file appears atomically: it is written to a temporary file in the same folder, synced,
// and then linked (a run) or renamed (a marker) into place, and the folder is synced. A reader
// therefore sees a whole file or none. A run file is never replaced: writing a run whose id the
// spool already holds succeeds when the content is the same and fails when it differs, and the
// check and the creation are one step (a hard link fails when the name exists), so two writers
// cannot both win.
//
// Run ids are file names here, so Write accepts only ids made of letters, digits, '.', '_' and
// '-' that do not start with '.'. Sink names in markers follow the same rule; SinkName turns any
// destination description into one.
//
// Load refuses files of another schema and files written by a newer version of the record model
// with an error naming the file; a file that is not valid JSON is reported with its path and the
// byte offset of the problem. List does not stop at such a file: it returns an Entry with Err set,
// so one bad file never hides the others.
package spool
