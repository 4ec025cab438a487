package integration_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/ztkit/ztkit/integration/internal/harness"
)

// TestMain builds SPIRE and the Collector before the tests run, so that a
// cold build (minutes) does not eat into the tests' -timeout. If a build
// fails, the error is printed here and again by every test that needs the
// component, each of which then fails.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		if err := harness.Prebuild(os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	goleak.VerifyTestMain(m)
}

// needBinaries skips t under -short: the components it needs take minutes
// to build from a cold cache.
func needBinaries(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs SPIRE and Collector binaries built from source; run without -short")
	}
}
