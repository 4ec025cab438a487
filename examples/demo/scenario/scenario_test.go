package scenario_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ztkit/ztkit/examples/demo/gateway"
	"github.com/ztkit/ztkit/examples/demo/inventory"
	"github.com/ztkit/ztkit/examples/demo/orders"
	"github.com/ztkit/ztkit/examples/demo/scenario"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScenario(t *testing.T) {
	sys, err := scenario.Start(t.Context(), scenario.Options{LogDir: t.TempDir(), SVIDTTL: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, sys.Close()) })

	steps, err := scenario.Run(t.Context(), sys)
	require.NoError(t, err)
	require.Len(t, steps, 11)
	for _, s := range steps {
		assert.Equal(t, s.Want, s.Got, s.Name)
	}
	var report bytes.Buffer
	assert.True(t, scenario.Report(&report, steps), report.String())
}

func TestReportMarksMismatches(t *testing.T) {
	var report bytes.Buffer
	ok := scenario.Report(&report, []scenario.Step{{Name: "x", Want: "200", Got: "500"}})
	assert.False(t, ok)
	assert.Contains(t, report.String(), "FAIL")
}

func TestServicesNameMissingConfig(t *testing.T) {
	_, err := gateway.New(gateway.Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gateway: Config needs TLS, Source, Verifier, Authorizer, Logger, Tracing")
	_, err = orders.New(orders.Config{})
	assert.ErrorContains(t, err, "orders: Config needs Source")
	_, err = inventory.New(inventory.Config{})
	assert.ErrorContains(t, err, "inventory: Config needs Source")
}
