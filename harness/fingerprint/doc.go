// Package fingerprint records the environment of a lab run: the machine (CPU model, cores, memory,
// kernel, OS), the toolchain (Go version, GOAMD64), the code (git commit and whether the tree was
// dirty), and, read from a built binary's build info, the exact module versions it links. Two runs
// are comparable only when their fingerprints say so; compare lists every difference.
package fingerprint
