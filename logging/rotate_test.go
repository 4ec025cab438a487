package logging

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll returns the lines of every log file in dir (gzipped or not),
// requiring each to be whole JSON, and checks each file's size and mode.
func readAll(t *testing.T, dir string, maxSize int64) (recs []map[string]any, files int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		st, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), path)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			require.NoError(t, err)
			data, err = io.ReadAll(zr)
			require.NoError(t, err)
		}
		if maxSize > 0 {
			assert.LessOrEqual(t, int64(len(data)), maxSize, path)
		}
		files++
		recs = append(recs, lines(t, data)...)
	}
	return recs, files
}

func TestRotationConcurrentWritersEveryLineOnce(t *testing.T) {
	dir := t.TempDir()
	const writers, each, maxSize = 8, 400, 16 << 10
	l, err := New(Config{
		File:    FileOptions{Path: filepath.Join(dir, "svc.log"), MaxSize: maxSize, MaxBackups: -1, BufferSize: 8 << 10, FlushInterval: time.Millisecond, WriteTimeout: MaxWriteTimeout},
		Handler: HandlerOptions{Service: "svc"},
	})
	require.NoError(t, err)
	logConcurrently(l.Logger, writers, each, func(i int) string { return strings.Repeat("z", i%97) })
	require.NoError(t, l.Close())
	st := l.File().Stats()
	assert.Zero(t, st.Dropped)
	assert.Equal(t, uint64(writers*each), st.Written)
	assert.Greater(t, st.Rotations, uint64(10))

	recs, files := readAll(t, dir, maxSize)
	assert.Equal(t, int(st.Rotations)+1, files)
	seen := map[string]int{}
	for _, r := range recs {
		seen[fmt.Sprint(r["w"], "/", r["i"])]++
	}
	assert.Len(t, seen, writers*each)
	for k, n := range seen {
		assert.Equal(t, 1, n, "record %s written %d times", k, n)
	}
}

func TestRetentionByCountWithCompression(t *testing.T) {
	dir := t.TempDir()
	f, err := OpenFile(FileOptions{Path: filepath.Join(dir, "svc.log"), MaxSize: 1024, MaxBackups: 3, Compress: true})
	require.NoError(t, err)
	rec := []byte(`{"msg":"` + strings.Repeat("r", 500) + `"}`)
	for i := 0; i < 20; i++ {
		require.NoError(t, f.writeRecord(rec))
		require.NoError(t, f.Flush())
	}
	require.NoError(t, f.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Len(t, names, 4, "active file and three backups: %v", names)
	gz := 0
	for _, n := range names {
		if strings.HasSuffix(n, ".log.gz") {
			gz++
			assert.True(t, strings.HasPrefix(n, "svc-"), n)
		}
	}
	assert.Equal(t, 3, gz, "%v", names)
	recs, _ := readAll(t, dir, 1024)
	assert.Len(t, recs, 8, "two records per file survive")
}

func TestRetentionByAge(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "svc-20200101T000000.000Z.log")
	oldGz := filepath.Join(dir, "svc-20200102T000000.000Z-1.log.gz")
	fresh := filepath.Join(dir, "svc-"+time.Now().UTC().Add(-time.Hour).Format(backupTimeLayout)+"Z.log")
	other := filepath.Join(dir, "other-20200101T000000.000Z.log")
	for _, p := range []string{old, oldGz, fresh, other} {
		require.NoError(t, os.WriteFile(p, []byte("{}\n"), 0o600))
	}
	f, err := OpenFile(FileOptions{Path: filepath.Join(dir, "svc.log"), MaxAge: 24 * time.Hour})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	assert.NoFileExists(t, old)
	assert.NoFileExists(t, oldGz)
	assert.FileExists(t, fresh)
	assert.FileExists(t, other, "files of another log are never touched")
}

func TestTimeBasedRotation(t *testing.T) {
	dir := t.TempDir()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	f, err := openFile(FileOptions{Path: filepath.Join(dir, "svc.log"), RotateEvery: 24 * time.Hour}, now, (*os.File).Write)
	require.NoError(t, err)
	require.NoError(t, f.writeRecord([]byte(`{"day":4}`)))
	require.NoError(t, f.Flush())
	clock.Add(int64(2 * time.Minute))
	require.NoError(t, f.writeRecord([]byte(`{"day":5}`)))
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())
	assert.Equal(t, uint64(1), f.Stats().Rotations)
	data, err := os.ReadFile(filepath.Join(dir, "svc-20261205T000100.000Z.log"))
	require.NoError(t, err)
	assert.Equal(t, "{\"day\":4}\n", string(data))
	data, err = os.ReadFile(filepath.Join(dir, "svc.log"))
	require.NoError(t, err)
	assert.Equal(t, "{\"day\":5}\n", string(data))
}

func TestOversizedRecordGetsItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	f, err := OpenFile(FileOptions{Path: filepath.Join(dir, "svc.log"), MaxSize: 100, MaxBackups: -1})
	require.NoError(t, err)
	big := `{"msg":"` + strings.Repeat("b", 300) + `"}`
	for _, r := range []string{`{"a":1}`, big, `{"a":2}`} {
		require.NoError(t, f.writeRecord([]byte(r)))
	}
	require.NoError(t, f.Close())
	recs, files := readAll(t, dir, 0)
	assert.Len(t, recs, 3)
	assert.Equal(t, 3, files)
}

func TestLoggerWritesToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svc.log")
	l, err := New(Config{File: FileOptions{Path: path}, Handler: HandlerOptions{Service: "orders", Version: "v1"}})
	require.NoError(t, err)
	l.Info("started", "password", "hunter2")
	require.NoError(t, l.File().Flush())
	require.NoError(t, l.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	host, _ := os.Hostname()
	assert.Equal(t, host, m["host"])
	assert.Equal(t, "orders", m["service"])
	assert.Equal(t, "[REDACTED:key]", m["password"])

	_, err = New(Config{Handler: HandlerOptions{RedactKeys: []string{"-"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FileOptions.Path")
	assert.Contains(t, err.Error(), "Handler.RedactKeys[0]")
}

func TestRetentionUnderConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	const writers, each, maxSize = 4, 300, 8 << 10
	l, err := New(Config{File: FileOptions{Path: filepath.Join(dir, "svc.log"), MaxSize: maxSize, MaxBackups: 3,
		Compress: true, BufferSize: 4 << 10, FlushInterval: time.Millisecond, WriteTimeout: MaxWriteTimeout}})
	require.NoError(t, err)
	logConcurrently(l.Logger, writers, each, func(int) string { return "" })
	l.Info("rec", "w", "last", "i", 0)
	require.NoError(t, l.Close())
	recs, files := readAll(t, dir, maxSize)
	assert.Equal(t, 4, files, "active file and MaxBackups backups")
	seen := map[string]bool{}
	for _, r := range recs {
		k := fmt.Sprint(r["w"], "/", r["i"])
		assert.False(t, seen[k], "record %s in two files", k)
		seen[k] = true
	}
	assert.True(t, seen["last/0"], "the newest record is kept")
	assert.Less(t, len(seen), writers*each, "old files were removed")
}

// Two Files on one path stand for two processes sharing a log file: with
// O_APPEND and whole-record writes their lines never interleave.
func TestTwoWritersShareAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.log")
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		f, err := OpenFile(FileOptions{Path: path, BufferSize: 2 << 10, FlushInterval: time.Millisecond, WriteTimeout: MaxWriteTimeout})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := slog.New(NewHandler(f, nil))
			for i := 0; i < 2000; i++ {
				l.Info("rec", "p", p, "i", i, "pad", strings.Repeat("q", i%300))
			}
			assert.NoError(t, f.Close())
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, lines(t, data), 4000)
}

// logConcurrently logs each records from each of writers goroutines, with
// attributes w and i naming the record, and waits for them.
func logConcurrently(l *slog.Logger, writers, each int, pad func(i int) string) {
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.Info("rec", "w", w, "i", i, "pad", pad(i))
			}
		}()
	}
	wg.Wait()
}
