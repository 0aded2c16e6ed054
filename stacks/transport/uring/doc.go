// Package uring is the lab's own HTTP/1.1 transport on io_uring (github.com/pawelgaczynski/giouring),
// a proactor: the kernel does the I/O and the event loops react to its completions.
//
// Package documentation is completed with the measurements in the report.
package uring
