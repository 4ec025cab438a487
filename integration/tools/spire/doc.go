// Package spire pins the SPIRE server and agent that ztkit's integration
// tests run, as Go tool dependencies of this module:
//
//	go build -o bin/ github.com/spiffe/spire/cmd/spire-server github.com/spiffe/spire/cmd/spire-agent
//
// It is a module of its own because SPIRE must build against the go-spiffe
// release it was written for, which differs from the one ztkit requires.
package spire
