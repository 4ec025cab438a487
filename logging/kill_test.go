package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv makes the test binary act as a logging service that writes
// until it is killed.
const childEnv = "ZTKIT_LOGGING_CHILD_PATH"

func runChild() {
	f, err := OpenFile(FileOptions{Path: os.Getenv(childEnv), FlushInterval: time.Millisecond, BufferSize: 64 << 10, WriteTimeout: MaxWriteTimeout})
	if err != nil {
		os.Exit(3)
	}
	l := slog.New(NewHandler(f, nil))
	pad := string(bytes.Repeat([]byte("p"), 300))
	for i := 0; i < 50_000_000; i++ {
		l.Info("tick", "seq", i, "pad", pad)
	}
	os.Exit(4)
}

func TestSIGKILLLeavesWholeLines(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	path := filepath.Join(t.TempDir(), "logs", "child.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGKILLLeavesWholeLines$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool {
		st, err := os.Stat(path)
		return err == nil && st.Size() > 2<<20
	}, 30*time.Second, 5*time.Millisecond, "child never wrote 2 MiB")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	// The kernel may cut the write in progress at a page boundary; only
	// the text after the last newline can be torn.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, data)
	whole := data[:bytes.LastIndexByte(data, '\n')+1]
	t.Logf("file %d bytes, torn tail %d bytes", len(data), len(data)-len(whole))
	next := checkSeq(t, whole)
	assert.Greater(t, next, 1000)

	// A service restarted on the same file drops the torn tail, so the
	// file holds only whole lines and new records start their own.
	f, err := OpenFile(FileOptions{Path: path})
	require.NoError(t, err)
	_, err = f.Write([]byte(`{"msg":"restarted","seq":` + strconv.Itoa(next) + `}` + "\n"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	data, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, next+1, checkSeq(t, data))
}

// checkSeq requires data to be whole JSON lines numbered 0, 1, 2, ... and
// returns the next number.
func checkSeq(t *testing.T, data []byte) int {
	t.Helper()
	require.NotEmpty(t, data)
	require.Equal(t, byte('\n'), data[len(data)-1], "file ends inside a record")
	next := 0
	for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
		var rec struct{ Seq int }
		require.NoError(t, json.Unmarshal(line, &rec), "torn line %q", line)
		require.Equal(t, next, rec.Seq, "records lost or reordered")
		next++
	}
	return next
}
