package sonic_test

import (
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/codec/sonic"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) { codectest.Run(t, sonic.New()) }

// FuzzDecodeTransaction and FuzzDecodeAccount check that sonic never panics and accepts and
// refuses the request bodies the std codec does, decoding them to the same values.
func FuzzDecodeTransaction(f *testing.F) {
	codectest.FuzzDecode(f, sonic.New(), std.New(), codectest.Transaction)
}

func FuzzDecodeAccount(f *testing.F) {
	codectest.FuzzDecode(f, sonic.New(), std.New(), codectest.Account)
}

func TestPretouch(t *testing.T) {
	c := sonic.New()
	p, ok := c.(interface{ Pretouch(...any) error })
	if !ok {
		t.Fatal("the sonic codec has no Pretouch method")
	}
	if err := p.Pretouch(codectest.NewTransaction{}, &codectest.NewAccount{}, ledgerspec.Transaction{}); err != nil {
		t.Fatalf("Pretouch: %v", err)
	}
	if err := p.Pretouch(nil); err == nil {
		t.Fatal("Pretouch(nil): no error")
	}
	var tx codectest.NewTransaction
	if err := c.Unmarshal([]byte(`{"id":"t","postings":[{"amount":5}]}`), &tx); err != nil || *tx.Postings[0].Amount != 5 {
		t.Fatalf("Unmarshal after Pretouch = %+v, %v", tx, err)
	}
}
