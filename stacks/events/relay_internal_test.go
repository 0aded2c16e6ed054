package events

import (
	"testing"
	"time"
)

func TestNextBackoff(t *testing.T) {
	r := NewRelay(nil, nil, nil, nil, RelayOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	tests := []struct{ cur, want time.Duration }{
		{0, 10 * time.Millisecond},
		{10 * time.Millisecond, 20 * time.Millisecond},
		{20 * time.Millisecond, 40 * time.Millisecond},
		{40 * time.Millisecond, 50 * time.Millisecond},
		{50 * time.Millisecond, 50 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := r.nextBackoff(tc.cur); got != tc.want {
			t.Errorf("nextBackoff(%v) = %v, want %v", tc.cur, got, tc.want)
		}
	}
}

func TestRelayOptionsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   RelayOptions
		want RelayOptions
	}{
		{"zero", RelayOptions{}, RelayOptions{Batch: 256, Poll: 250 * time.Millisecond, Linger: 5 * time.Millisecond, MinBackoff: 50 * time.Millisecond, MaxBackoff: 5 * time.Second, Timeout: 10 * time.Second}},
		{"negative", RelayOptions{Batch: -1, Poll: -1, Linger: -1, MinBackoff: -1, MaxBackoff: -1, Timeout: -1}, RelayOptions{Batch: 256, Poll: 250 * time.Millisecond, Linger: -1, MinBackoff: 50 * time.Millisecond, MaxBackoff: 5 * time.Second, Timeout: 10 * time.Second}},
		{"set", RelayOptions{Batch: 7, Poll: time.Second, Linger: time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: time.Minute, Timeout: time.Hour}, RelayOptions{Batch: 7, Poll: time.Second, Linger: time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: time.Minute, Timeout: time.Hour}},
		{"cap below floor", RelayOptions{MinBackoff: time.Second, MaxBackoff: time.Millisecond}, RelayOptions{Batch: 256, Poll: 250 * time.Millisecond, Linger: 5 * time.Millisecond, MinBackoff: time.Second, MaxBackoff: time.Second, Timeout: 10 * time.Second}},
	}
	for _, tc := range tests {
		if got := tc.in.withDefaults(); got != tc.want {
			t.Errorf("%s: withDefaults() = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
