// Package cachetest is the contract of app.Cache: Run checks a cache implementation against a real
// Redis through the port alone, so the go-redis, rueidis and redigo caches are judged by the same
// table. It covers the velocity counters (window, idempotent recording, the keep bound, uncounting,
// several accounts per call), the account read cache (miss, put-if-newer, exact bodies, expiry,
// concurrent writers), prefix isolation, cancelled contexts and the behaviour after Close, and
// outages, through a redistest.Proxy: Open succeeds while Redis is down; while Redis refuses
// connections or is silent (connections open, nothing answered: a paused or partitioned Redis)
// every call fails within its context's deadline (OutageSlack late at most), never hangs; and the
// cache works again by itself once Redis is back, with the data it kept.
package cachetest
