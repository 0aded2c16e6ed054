package loadgen

import (
	"bytes"
	"fmt"
	"strconv"
)

// Ack is a transaction the target acknowledged with a 201: its id and the seq it was given.
type Ack struct {
	ID  string `json:"id"`
	Seq int64  `json:"seq"`
}

// acknowledged reads the seq of a 201 body of transaction id: the top-level "seq" member, found
// without decoding the whole body (a transaction's only number member named seq).
func acknowledged(id []byte, body []byte) (Ack, error) {
	const key = `"seq":`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return Ack{}, fmt.Errorf("the 201 for %s has no seq: %.120q", id, body)
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	seq, err := strconv.ParseInt(string(rest[:n]), 10, 64)
	if err != nil || seq <= 0 {
		return Ack{}, fmt.Errorf("the 201 for %s has seq %.20q, want a positive integer", id, rest[:min(len(rest), 20)])
	}
	return Ack{ID: string(id), Seq: seq}, nil
}
