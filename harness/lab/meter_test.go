package lab

import (
	"testing"
	"time"
)

func TestServesDatabase(t *testing.T) {
	for _, tc := range []struct {
		title string
		want  bool
	}{
		{"postgres: 15/main: checkpointer", true},
		{"postgres: walwriter", true},
		{"postgres: 15/main: postgres lab_x 127.0.0.1(53904) idle", true},
		{"postgres: postgres lab_x 127.0.0.1(53904) idle in transaction", true},
		{"postgres: 15/main: postgres lab_y 127.0.0.1(53904) idle", false},
		{"postgres: 15/main: postgres lab_x_2 127.0.0.1(53904) idle", false},
		{"postgres: 15/main: autovacuum worker lab_x", true},
		{"postgres: 15/main: logical replication launcher", false},
		{"/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", false},
	} {
		if got := servesDatabase(tc.title, "lab_x"); got != tc.want {
			t.Errorf("servesDatabase(%q) = %v, want %v", tc.title, got, tc.want)
		}
	}
}

// The meter interpolates cumulative usage between samples, so a window that starts and ends
// between samples is charged its share.
func TestMeterInterpolates(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &meter{}
	for i := range 5 { // the stack uses 100 ms of CPU per second, steadily
		var s sample
		s.at = t0.Add(time.Duration(i) * time.Second)
		s.groups[groupStack] = groupUsage{cpu: time.Duration(i) * 100 * time.Millisecond, volCtx: int64(i) * 10}
		m.samples = append(m.samples, s)
	}
	u, ok := m.usage(groupStack, t0.Add(500*time.Millisecond), t0.Add(3500*time.Millisecond))
	if !ok || u.cpu != 300*time.Millisecond || u.volCtx != 30 {
		t.Errorf("usage over 3 s = %+v, %v; want 300ms and 30 switches", u, ok)
	}
	if _, ok := m.usage(groupStack, t0.Add(-time.Second), t0.Add(time.Second)); ok {
		t.Error("a window that starts before the first sample is covered")
	}
	if _, ok := m.usage(groupStack, t0, t0.Add(5*time.Second)); ok {
		t.Error("a window that ends after the last sample is covered")
	}
}
