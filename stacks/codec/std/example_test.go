package std_test

import (
	"fmt"

	"stacklab/ledgerspec"
	"stacklab/stacks/codec/std"
)

func Example() {
	c := std.New()
	var req struct {
		Amount *int64 `json:"amount"`
	}
	for _, body := range []string{`{"amount":1250}`, `{"amount":1e3}`, `{"amount":1,"memo":"x"}`, `{"Amount":1}`,
		`{"amount":1,"amount":2}`, `{} {}`, `null`} {
		req.Amount = nil
		err := c.Unmarshal([]byte(body), &req)
		if err != nil {
			fmt.Printf("%-24s error\n", body)
			continue
		}
		fmt.Printf("%-24s amount %d\n", body, *req.Amount)
	}
	out, err := c.Marshal(ledgerspec.Message{Message: "Alice <3 & é"})
	fmt.Println(string(out), err)
	// Output:
	// {"amount":1250}          amount 1250
	// {"amount":1e3}           error
	// {"amount":1,"memo":"x"}  error
	// {"Amount":1}             error
	// {"amount":1,"amount":2}  error
	// {} {}                    error
	// null                     error
	// {"message":"Alice <3 & é"} <nil>
}
