package jsonv2

// Needs is what a build needs for this codec to work: encoding/json/v2 exists only in a binary
// built with this environment setting (Go 1.26).
const Needs = "GOEXPERIMENT=jsonv2"
