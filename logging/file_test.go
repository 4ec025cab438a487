package logging

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	f, err := OpenFile(FileOptions{Path: filepath.Join(dir, "svc.log")})
	require.NoError(t, err)
	_, err = f.Write([]byte(`{"msg":"x"}`))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	for _, d := range []string{dir, filepath.Dir(dir)} {
		st, err := os.Stat(d)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), st.Mode().Perm(), d)
	}
	st, err := os.Stat(filepath.Join(dir, "svc.log"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	data, err := os.ReadFile(filepath.Join(dir, "svc.log"))
	require.NoError(t, err)
	assert.Equal(t, "{\"msg\":\"x\"}\n", string(data))
}

func TestFileModeForAgentGroupAndNarrowing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wide.log")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
	require.NoError(t, os.Chmod(path, 0o666))
	f, err := OpenFile(FileOptions{Path: path, FileMode: 0o640, DirMode: 0o750})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "an existing wider file is narrowed to the configured mode")
}

func TestFileOptionsValidation(t *testing.T) {
	_, err := OpenFile(FileOptions{FileMode: 0o644, DirMode: 0o755, MaxSize: -1, FlushInterval: time.Hour,
		WriteTimeout: -time.Second, MaxBackups: -2, Sync: 9, BufferSize: -1, MaxAge: -1, RotateEvery: -1})
	require.Error(t, err)
	for _, field := range []string{"Path", "FileMode", "DirMode", "MaxSize", "FlushInterval", "WriteTimeout",
		"MaxBackups", "Sync", "BufferSize", "MaxAge", "RotateEvery"} {
		assert.Contains(t, err.Error(), "FileOptions."+field)
	}
}

func TestUnwritablePathIsAnErrorFromNew(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	_, err := New(Config{File: FileOptions{Path: filepath.Join(blocker, "sub", "svc.log")}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logging: create log directory")
	assert.ErrorIs(t, err, syscall.ENOTDIR)

	// A directory in place of the file.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "svc.log"), 0o700))
	_, err = New(Config{File: FileOptions{Path: filepath.Join(dir, "svc.log")}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logging: open log file")

	// A symlink in place of the file is refused, not followed.
	target := filepath.Join(dir, "target")
	require.NoError(t, os.WriteFile(target, nil, 0o600))
	require.NoError(t, os.Symlink(target, filepath.Join(dir, "link.log")))
	_, err = New(Config{File: FileOptions{Path: filepath.Join(dir, "link.log")}})
	require.Error(t, err)

	// A world-writable directory without the sticky bit.
	open := filepath.Join(dir, "open")
	require.NoError(t, os.Mkdir(open, 0o700))
	require.NoError(t, os.Chmod(open, 0o777))
	_, err = New(Config{File: FileOptions{Path: filepath.Join(open, "svc.log")}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writable by everyone")
}

// stuckDisk blocks every write until released.
type stuckDisk struct {
	release chan struct{}
	entered chan struct{}
}

func (s *stuckDisk) write(fd *os.File, p []byte) (int, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return fd.Write(p)
}

func TestStuckDiskDropsWithinBound(t *testing.T) {
	disk := &stuckDisk{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	path := filepath.Join(t.TempDir(), "svc.log")
	f, err := openFile(FileOptions{Path: path, BufferSize: 4096, WriteTimeout: 20 * time.Millisecond}, time.Now, disk.write)
	require.NoError(t, err)
	rec := []byte(`{"msg":"` + strings.Repeat("x", 200) + `"}` + "\n")
	// Fill a buffer and get the flusher stuck writing it.
	for i := 0; i < 10; i++ {
		require.NoError(t, f.writeRecord(rec))
	}
	f.kick <- struct{}{}
	<-disk.entered
	var dropped int
	start := time.Now()
	for i := 0; i < 200; i++ {
		if err := f.writeRecord(rec); err != nil {
			require.ErrorIs(t, err, ErrDropped)
			dropped++
		}
	}
	assert.Less(t, time.Since(start), 2*time.Second, "writers must not wait for a stuck disk beyond WriteTimeout")
	assert.Greater(t, dropped, 150)
	assert.Equal(t, uint64(dropped), f.Stats().Dropped)
	close(disk.release)
	require.NoError(t, f.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	recs := lines(t, data)
	var reports []map[string]any
	for _, r := range recs {
		if r["event"] == string(LogRecordsDropped) {
			reports = append(reports, r)
		}
	}
	require.Len(t, reports, 1)
	assert.Equal(t, float64(dropped), reports[0]["dropped"])
	assert.Equal(t, 210-dropped, len(recs)-1)
}

func TestDiskFullCountsAndRecovers(t *testing.T) {
	full := make(chan bool, 1)
	full <- true
	write := func(fd *os.File, p []byte) (int, error) {
		select {
		case <-full:
			return 0, syscall.ENOSPC
		default:
			return fd.Write(p)
		}
	}
	path := filepath.Join(t.TempDir(), "svc.log")
	f, err := openFile(FileOptions{Path: path}, time.Now, write)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		require.NoError(t, f.writeRecord([]byte(`{"n":1}`)))
	}
	assert.ErrorIs(t, f.Flush(), syscall.ENOSPC)
	st := f.Stats()
	assert.Equal(t, uint64(3), st.Dropped)
	assert.Equal(t, uint64(1), st.WriteErrors)
	assert.Contains(t, st.LastError, "no space left")
	require.NoError(t, f.writeRecord([]byte(`{"n":2}`)))
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())
	assert.ErrorIs(t, f.Close(), ErrClosed)
	_, err = f.Write([]byte("late"))
	assert.ErrorIs(t, err, ErrClosed)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	recs := lines(t, data)
	require.Len(t, recs, 2)
	assert.Equal(t, 3.0, recs[0]["dropped"], "the drop report comes first once the disk has room")
	assert.Equal(t, 2.0, recs[1]["n"])
	assert.Equal(t, uint64(1), f.Stats().Written)
}

func TestFlushAfterCloseAndSyncPolicies(t *testing.T) {
	for _, p := range []SyncPolicy{SyncOnRotate, SyncEveryFlush, SyncNever} {
		f, err := OpenFile(FileOptions{Path: filepath.Join(t.TempDir(), "s.log"), Sync: p})
		require.NoError(t, err)
		require.NoError(t, f.writeRecord([]byte("{}")))
		require.NoError(t, f.Flush())
		assert.Equal(t, uint64(1), f.Stats().Written)
		require.NoError(t, f.Close())
		assert.True(t, errors.Is(f.Flush(), ErrClosed))
	}
}
