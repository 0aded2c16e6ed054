// Package stacks assembles stacks from parts. A stack is data, a Spec naming one part per
// dimension (http, store, json, redis); the registry maps each name to its constructor, so every
// combination exists without a file of its own, and adding a part is one line in registry.go.
// Open connects the parts and builds the app; (*Stack).Run serves until its context ends and then
// shuts down gracefully. cmd/stack is the one binary that runs any stack.
package stacks
