// Package integration tests ztkit against the real components it runs
// beside in production: a SPIRE server and agent issuing X.509- and
// JWT-SVIDs over the SPIFFE Workload API, and an OpenTelemetry Collector
// receiving traces over OTLP and tailing ztkit's log files.
//
// It is a separate module so that SPIRE and the Collector, with their many
// dependencies, never enter ztkit's own go.mod; each of them is in turn a
// module of its own under tools/, built with the versions it was released
// with. TestMain builds both from source on first use (cgo is needed for
// SPIRE's sqlite3 datastore) into $ZTKIT_INTEGRATION_CACHE, or else
// $HOME/.cache/ztkit-integration, and reuses the binaries while present:
//
//	cd integration && go test -timeout 30m ./...
//
// A cold build takes several minutes; a warm run takes seconds. The build
// runs before the tests' own -timeout clock starts, but go test still stops
// a test binary that runs a minute past -timeout, hence the longer timeout
// for a cold cache. With -short nothing is built and the tests that need
// these binaries are skipped; otherwise a component that cannot be built
// fails every test that needs it, with the build output.
//
// The component configurations live in internal/harness/templates and are
// the starting point for running ztkit with SPIRE and a Collector.
package integration
