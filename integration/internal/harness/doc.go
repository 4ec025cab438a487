// Package harness builds and runs the real components that ztkit's
// integration tests talk to: a SPIRE server and agents, and an
// OpenTelemetry Collector. Each runs as a child process on 127.0.0.1 and
// Unix sockets under a temporary directory, and is stopped by process
// group when the test ends.
//
// Binaries are built from modules of their own under tools/ (SPIRE as Go
// tool dependencies of tools/spire, the Collector from tools/otelcol), each
// resolving the versions its release was made with, into a cache
// directory, $ZTKIT_INTEGRATION_CACHE or else $HOME/.cache/ztkit-integration,
// one subdirectory per component, release and hash of its module files, and
// reused while present. A component that cannot be built fails the test
// with the build output.
//
// The configuration templates in templates/ are the starting point for
// running ztkit with SPIRE and a Collector outside of tests.
package harness
