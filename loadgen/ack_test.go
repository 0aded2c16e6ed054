package loadgen

import "testing"

func TestAcknowledged(t *testing.T) {
	for _, tc := range []struct {
		body string
		seq  int64
		ok   bool
	}{
		{`{"id":"t-1","seq":42,"postings":[]}`, 42, true},
		{`{"id":"t-1","seq": 9007199254740993,"risk_flags":[]}`, 9007199254740993, true},
		{`{"id":"t-1"}`, 0, false},
		{`{"id":"t-1","seq":0}`, 0, false},
		{`{"id":"t-1","seq":-3}`, 0, false},
		{`{"id":"t-1","seq":"7"}`, 0, false},
	} {
		a, err := acknowledged([]byte("t-1"), []byte(tc.body))
		if (err == nil) != tc.ok || (tc.ok && (a.Seq != tc.seq || a.ID != "t-1")) {
			t.Errorf("%s: %+v, %v", tc.body, a, err)
		}
	}
}
