package authz

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"

	"github.com/ztkit/ztkit/logging"
)

// Watcher reloads an Authorizer's policy when its file changes. A file
// that fails to load or parse leaves the last good policy in force; the
// failure is logged (authz_change at Error) and kept for LastError.
type Watcher struct {
	a    *Authorizer
	path string
	fw   *fsnotify.Watcher
	done chan struct{}

	mu      sync.Mutex
	sum     [sha256.Size]byte // of the content last tried
	seen    bool
	lastErr error
	closed  bool
}

// Watch loads the policy file at path into a now and then reloads it
// whenever it changes, until Close. It watches the file's directory, so
// that editors and deployment tools that replace the file by renaming a
// new one over it (including Kubernetes ConfigMap volumes) are seen. A file
// that cannot be loaded now is an error and a keeps its current policy.
func Watch(a *Authorizer, path string) (*Watcher, error) {
	if a == nil {
		return nil, ErrNoPolicy
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("authz: watch %s: %w", path, err)
	}
	w := &Watcher{a: a, path: abs, done: make(chan struct{})}
	if err := w.reload(); err != nil {
		return nil, err
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("authz: watch %s: %w", path, err)
	}
	if err := fw.Add(filepath.Dir(abs)); err != nil {
		_ = fw.Close()
		return nil, fmt.Errorf("authz: watch %s: %w", path, err)
	}
	w.fw = fw
	// The file may have changed between the first load and Add.
	_ = w.reload()
	go w.run()
	return w, nil
}

func (w *Watcher) run() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) {
				continue
			}
			// Any change in the directory may be the file: it may be a
			// symlink into a directory swapped by rename.
			_ = w.reload()
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.fail(fmt.Errorf("authz: watch %s: %w", w.path, err))
		}
	}
}

// reload loads the file and swaps it in if its content changed since the
// last attempt.
func (w *Watcher) reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	data, err := os.ReadFile(w.path)
	if err != nil {
		w.seen = false
		return w.failLocked(fmt.Errorf("authz: reload %s: %w", w.path, err))
	}
	sum := sha256.Sum256(data)
	if w.seen && sum == w.sum {
		return w.lastErr // Same content, same outcome as last time.
	}
	w.sum, w.seen = sum, true
	p, err := parsePolicy(data, w.path)
	if err != nil {
		return w.failLocked(err)
	}
	w.lastErr = nil
	return w.a.swap(p, "reload "+w.path)
}

func (w *Watcher) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.failLocked(err)
}

func (w *Watcher) failLocked(err error) error {
	w.lastErr = err
	logging.LogEvent(context.Background(), w.a.log, slog.LevelError, logging.AuthzChange,
		"authorization policy reload failed; keeping the last good policy", slog.String("error", err.Error()))
	return err
}

// LastError returns why the last reload failed, or nil if it succeeded.
func (w *Watcher) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// Close stops watching and waits for the watching goroutine to end. The
// authorizer keeps its current policy.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	err := w.fw.Close()
	<-w.done
	if err != nil {
		return fmt.Errorf("authz: close watcher: %w", err)
	}
	return nil
}
