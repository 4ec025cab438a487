package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild()
		return
	}
	goleak.VerifyTestMain(m)
}

// capture returns a logger over the sanitising handler and the buffer it
// writes to.
func capture(t testing.TB, opts *HandlerOptions) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	return slog.New(NewHandler(&buf, opts)), &buf
}

// lines splits out into records, requiring each to be one valid JSON
// object on its own line.
func lines(t testing.TB, out []byte) []map[string]any {
	t.Helper()
	require.True(t, len(out) == 0 || out[len(out)-1] == '\n', "output must end with a newline")
	var recs []map[string]any
	for _, l := range bytes.Split(bytes.TrimSuffix(out, []byte{'\n'}), []byte{'\n'}) {
		if len(l) == 0 && len(out) == 0 {
			break
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(l, &m), "line %q", l)
		recs = append(recs, m)
	}
	return recs
}
