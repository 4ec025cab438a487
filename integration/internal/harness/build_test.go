package harness

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fatalRecorder is a testing.TB whose Fatalf ends only the goroutine it is
// called on and keeps the message.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestBuildFailureFailsWithOutput(t *testing.T) {
	t.Setenv("ZTKIT_INTEGRATION_CACHE", t.TempDir())
	b := build{module: "internal/harness/testdata/broken", key: "broken-v0", pkgs: []string{"broken"}}
	dir, err := b.ensure(io.Discard)
	require.Error(t, err)
	assert.Empty(t, dir)
	assert.Contains(t, err.Error(), "building broken-v0 failed")
	assert.Contains(t, err.Error(), "undefinedFunction", "the compiler's output is in the failure")
}

func TestBuildIsCachedAndReused(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("ZTKIT_INTEGRATION_CACHE", cache)
	b := build{module: "internal/harness/testdata/ok", key: "ok-v1", pkgs: []string{"ok"}}
	var progress strings.Builder
	dir, err := b.ensure(&progress)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(cache, "ok-v1"), dir)
	assert.Contains(t, progress.String(), "built ok-v1")
	bin := filepath.Join(dir, "ok")
	first, err := os.Stat(bin)
	require.NoError(t, err)

	progress.Reset()
	dir2, err := b.ensure(&progress)
	require.NoError(t, err)
	assert.Equal(t, dir, dir2)
	assert.Empty(t, progress.String(), "nothing is built")
	second, err := os.Stat(bin)
	require.NoError(t, err)
	assert.Equal(t, first.ModTime(), second.ModTime(), "a present binary is reused, not rebuilt")

	require.NoError(t, os.Remove(bin))
	_, err = b.ensure(io.Discard)
	require.NoError(t, err)
	assert.FileExists(t, bin, "a missing binary is built again")
}

func TestTemplatesRender(t *testing.T) {
	for _, name := range []string{"spire-server.conf", "spire-agent.conf", "otelcol.yaml"} {
		text, err := Template(name)
		require.NoError(t, err, name)
		assert.NotEmpty(t, text, name)
	}
	_, err := Template("missing.conf")
	assert.Error(t, err)

	dir := t.TempDir()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeConfig(rec, "spire-agent.conf", filepath.Join(dir, "agent.conf"), map[string]any{"DataDir": "/x"})
	}()
	<-done
	assert.Contains(t, rec.msg, "has no entry", "a template field left unset fails instead of rendering empty")
}
