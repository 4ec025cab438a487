package authz

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func policyFor(path string) string {
	return fmt.Sprintf("version: 1\nrules:\n  - name: only\n    action: allow\n    to:\n      paths: [%q]\n", path)
}

// writeAtomic replaces path the way deployment tools do: write a temporary
// file in the same directory, then rename it over the old one.
func writeAtomic(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func allows(a *Authorizer, path string) bool {
	return a.Decide(context.Background(), &Request{Method: "GET", Path: path}).Allowed
}

// syncBuffer is a log sink that the watcher goroutine and the test can
// share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(policyFor("/one")), 0o600))
	var logs syncBuffer
	a := mustAuthorizer(t, "version: 1", WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	w, err := Watch(a, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, w.Close()) }()
	assert.True(t, allows(a, "/one"), "loaded at start")

	// In-place write.
	require.NoError(t, os.WriteFile(path, []byte(policyFor("/two")), 0o600))
	require.Eventually(t, func() bool { return allows(a, "/two") }, 10*time.Second, 10*time.Millisecond)
	assert.False(t, allows(a, "/one"))

	// Atomic rename.
	writeAtomic(t, path, policyFor("/three"))
	require.Eventually(t, func() bool { return allows(a, "/three") }, 10*time.Second, 10*time.Millisecond)

	// A bad file keeps the last good policy and says why.
	writeAtomic(t, path, "version: 1\nrules:\n  - name: broken\n    action: allwo\n")
	require.Eventually(t, func() bool { return w.LastError() != nil }, 10*time.Second, 10*time.Millisecond)
	assert.ErrorIs(t, w.LastError(), ErrInvalidPolicy)
	assert.Contains(t, w.LastError().Error(), `line 4: rule "broken": action`)
	assert.True(t, allows(a, "/three"), "last good policy still in force")
	require.Eventually(t, func() bool {
		return bytes.Contains([]byte(logs.String()), []byte("keeping the last good policy"))
	}, 10*time.Second, 10*time.Millisecond)

	// A removed file too.
	require.NoError(t, os.Remove(path))
	require.Eventually(t, func() bool { return w.LastError() != nil && os.IsNotExist(unwrapAll(w.LastError())) }, 10*time.Second, 10*time.Millisecond)
	assert.True(t, allows(a, "/three"))

	// And the next good file is picked up again.
	writeAtomic(t, path, policyFor("/four"))
	require.Eventually(t, func() bool { return allows(a, "/four") }, 10*time.Second, 10*time.Millisecond)
	assert.NoError(t, w.LastError())
	assert.Contains(t, logs.String(), `"event":"authz_change"`)
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestWatchBadFileAtStartIsAnError(t *testing.T) {
	dir := t.TempDir()
	a := mustAuthorizer(t, policyFor("/kept"))
	_, err := Watch(a, filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nrules: [{name: x}]\n"), 0o600))
	_, err = Watch(a, bad)
	require.ErrorIs(t, err, ErrInvalidPolicy)
	assert.True(t, allows(a, "/kept"), "the authorizer keeps its policy; nothing becomes allowed")
	assert.False(t, allows(a, "/other"))

	_, err = Watch(nil, bad)
	assert.ErrorIs(t, err, ErrNoPolicy)
}

// TestHotReloadUnderLoad swaps policies while decisions run concurrently
// (run with -race). Every decision must come from one whole policy: each
// version allows exactly its own path, so a request for version i's path
// is allowed iff version i is in force, and two paths are never allowed by
// one snapshot.
func TestHotReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	gen := func(i int) string {
		return fmt.Sprintf(`{"version": 1, "rules": [{"name": "v%d", "action": "allow", "to": {"paths": ["/v%d", "/v%d/*"]}}]}`, i, i, i)
	}
	require.NoError(t, os.WriteFile(path, []byte(gen(0)), 0o600))
	p, err := LoadPolicy(path)
	require.NoError(t, err)
	a, err := New(p)
	require.NoError(t, err)
	w, err := Watch(a, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, w.Close()) }()

	const versions = 20
	var stop atomic.Bool
	var wg sync.WaitGroup
	var decisions, bad atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() && i < 1_000_000; i++ {
				v := i % versions
				d := a.Decide(context.Background(), &Request{Method: "GET", Path: fmt.Sprintf("/v%d/x", v)})
				if d.Allowed && d.Rule != fmt.Sprintf("v%d", v) {
					bad.Add(1)
				}
				decisions.Add(1)
			}
		}()
	}
	for i := 1; i < versions; i++ {
		writeAtomic(t, path, gen(i))
		want := fmt.Sprintf("/v%d", i)
		require.Eventually(t, func() bool { return allows(a, want) }, 10*time.Second, time.Millisecond)
		// Swaps through the API race with the watcher too.
		require.NoError(t, a.Swap(mustPolicy(t, gen(i))))
	}
	stop.Store(true)
	wg.Wait()
	assert.Zero(t, bad.Load())
	assert.Positive(t, decisions.Load())
	assert.True(t, allows(a, fmt.Sprintf("/v%d", versions-1)))
	assert.False(t, allows(a, "/v0"))
}

func TestWatcherCloseTwice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\n"), 0o600))
	w, err := Watch(mustAuthorizer(t, "version: 1"), path)
	require.NoError(t, err)
	assert.NoError(t, w.Close())
	assert.NoError(t, w.Close())
}
