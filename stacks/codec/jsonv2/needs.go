package jsonv2

// experiment is the GOEXPERIMENT value the codec needs: encoding/json/v2 exists only in a binary
// built with it (Go 1.26).
const experiment = "jsonv2"

// Needs is what a build needs for this codec to work, as an environment setting.
const Needs = "GOEXPERIMENT=" + experiment

// Experiment returns "jsonv2", the GOEXPERIMENT value a binary must be built with for the codec to
// work, in every build (the lab's optional Experimental capability of a part).
func (Codec) Experiment() string { return experiment }
