// Package cachetest is the contract of app.Cache: Run checks a cache implementation against a real
// Redis through the port alone, so the go-redis, rueidis and redigo caches are judged by the same
// table. It covers the velocity counters (window, idempotent recording, the keep bound, uncounting,
// several accounts per call), the account read cache (miss, put-if-newer, exact bodies, expiry,
// concurrent writers), prefix isolation, cancelled contexts and the behaviour after Close.
package cachetest
