package logging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseOnStuckDiskEndsEveryGoroutine closes a File whose flusher is
// stuck in a write: Close gives up within its bound, the janitor has ended
// by then, and the flusher ends once the write returns.
func TestCloseOnStuckDiskEndsEveryGoroutine(t *testing.T) {
	disk := &stuckDisk{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	path := filepath.Join(t.TempDir(), "svc.log")
	f, err := openFile(FileOptions{Path: path, Compress: true}, time.Now, disk.write)
	require.NoError(t, err)
	f.closeWait = 20 * time.Millisecond
	require.NoError(t, f.writeRecord([]byte(`{"msg":"last"}`)))
	f.kick <- struct{}{}
	<-disk.entered

	err = f.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "close timed out")
	select {
	case <-f.cleanDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the janitor outlived Close")
	}
	close(disk.release)
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the flusher did not end once the write returned")
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{\"msg\":\"last\"}\n", string(data))
	assert.ErrorIs(t, f.Close(), ErrClosed)
}

// TestJanitorWorkAborts checks that an aborted cleanup removes nothing and
// an aborted compression leaves the rotated file as it was.
func TestJanitorWorkAborts(t *testing.T) {
	dir := t.TempDir()
	o, err := FileOptions{Path: filepath.Join(dir, "svc.log"), Compress: true, MaxBackups: 1}.withDefaults()
	require.NoError(t, err)
	abort := make(chan struct{})
	close(abort)
	f := &File{opts: o, stem: "svc", ext: ".log", now: time.Now, cleanAbort: abort}
	content := strings.Repeat(`{"msg":"rotated"}`+"\n", 1000)
	var paths []string
	for i, stamp := range []string{"20261204T141234.123Z", "20261203T141234.123Z", "20261202T141234.123Z"} {
		p := filepath.Join(dir, "svc-"+stamp+".log")
		require.NoError(t, os.WriteFile(p, []byte(content[:len(content)-i]), 0o600))
		paths = append(paths, p)
	}

	err = f.compress(paths[0])
	require.ErrorIs(t, err, errCleanAborted)
	f.cleanup()
	for i, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err, "an aborted cleanup keeps %s", p)
		assert.Equal(t, content[:len(content)-i], string(data))
		assert.NoFileExists(t, p+".gz")
		assert.NoFileExists(t, p+".gz.tmp")
	}
	assert.Zero(t, f.Stats().WriteErrors, "an abort is not a write error")
}
