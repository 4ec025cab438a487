package mtlspair_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ztkit/ztkit/examples/mtlspair"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScenario(t *testing.T) {
	var out bytes.Buffer
	err := mtlspair.Run(t.Context(), &out)
	require.NoError(t, err, out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4)
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "ok  "), l)
	}
	assert.Contains(t, out.String(), "want refused got refused")
}
