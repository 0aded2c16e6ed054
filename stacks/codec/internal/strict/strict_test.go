package strict

import (
	"errors"
	"testing"
)

func TestBody(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{" \t\r\n", ErrEmpty},
		{"null", ErrNull},
		{" null \n", ErrNull},
		{"nul", nil},
		{"nullx", nil},
		{"null null", nil},
		{"{}", nil},
		{"[]", nil},
		{"\fnull", nil}, // form feed is not JSON whitespace: left to the library's syntax error
	}
	for _, tt := range tests {
		if got := Body([]byte(tt.in)); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("Body(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOnlySpace(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{" \n\t\r", true},
		{" x", false},
		{"\f", false},
	}
	for _, tt := range tests {
		if got := OnlySpace([]byte(tt.in)); got != tt.want {
			t.Errorf("OnlySpace(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
