package redigo_test

import (
	"context"
	"testing"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redigo"
	"stacklab/stacks/parttest/cachetest"
	"stacklab/stacks/parttest/redistest"
)

func open(t *testing.T, url string) app.Cache {
	t.Helper()
	c, err := redigo.Open(context.Background(), redigo.Config{
		URL:        url,
		Prefix:     redistest.Prefix(t),
		AccountTTL: cachetest.AccountTTL,
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

func TestContract(t *testing.T) { cachetest.Run(t, open) }
