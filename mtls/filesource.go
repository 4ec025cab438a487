package mtls

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/fsnotify/fsnotify"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// FileSource serves an X.509-SVID and a bundle from PEM files, as written by
// spiffe-helper or a Kubernetes secret mount. It reloads when any of the
// files changes (in place or by rename) and keeps the last good material
// when the new files do not form a valid SVID and bundle.
type FileSource struct {
	certFile, keyFile, bundleFile string

	cfg     sourceConfig
	watcher *fsnotify.Watcher
	done    chan struct{}
	closed  atomic.Bool

	current atomic.Pointer[fileMaterial]
	mu      sync.Mutex // serialises reloads
}

type fileMaterial struct {
	svid               *x509svid.SVID
	bundle             *x509bundle.Bundle
	cert, key, bundleB []byte
}

// NewFileSource loads the SVID (certificate chain and PKCS#8 key) and the
// bundle of its trust domain, and watches the files' directories for
// changes. It fails if the first load fails. Close stops the watch.
func NewFileSource(certFile, keyFile, bundleFile string, opts ...SourceOption) (*FileSource, error) {
	s := &FileSource{
		certFile: certFile, keyFile: keyFile, bundleFile: bundleFile,
		cfg: newSourceConfig(opts), done: make(chan struct{}),
	}
	m, err := s.load()
	if err != nil {
		return nil, err
	}
	s.current.Store(m)
	s.cfg.emit(svidEvent(m.svid))

	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("mtls: watching SVID files: %w", err)
	}
	dirs := map[string]bool{}
	for _, f := range []string{certFile, keyFile, bundleFile} {
		dirs[filepath.Dir(f)] = true
	}
	for d := range dirs {
		if err := w.Add(d); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("mtls: watching %s: %w", d, err)
		}
	}
	s.watcher = w
	go s.watch()
	return s, nil
}

func (s *FileSource) watch() {
	defer close(s.done)
	for {
		select {
		case _, ok := <-s.watcher.Events:
			if !ok {
				return
			}
			// Any change in the directories may be ours (editors and
			// Kubernetes swap symlinks); reload compares contents.
			s.Reload()
		case err, ok := <-s.watcher.Errors:
			if !ok {
				return
			}
			s.cfg.emit(Event{Kind: SourceError, Err: fmt.Errorf("mtls: watching SVID files: %w", err)})
		}
	}
}

// Reload reads the files again now. On failure the previous SVID and bundle
// stay in use and the error is returned and reported as a SourceError event.
func (s *FileSource) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	prev := s.current.Load()
	cert, key, bundle, err := s.read()
	if err == nil && bytes.Equal(cert, prev.cert) && bytes.Equal(key, prev.key) && bytes.Equal(bundle, prev.bundleB) {
		return nil
	}
	var m *fileMaterial
	if err == nil {
		m, err = s.parse(cert, key, bundle)
	}
	if err != nil {
		err = fmt.Errorf("%w (still serving serial %s)", err, serialHex(prev.svid.Certificates[0]))
		s.cfg.emit(Event{Kind: SourceError, Err: err})
		return err
	}
	s.current.Store(m)
	if !prev.svid.Certificates[0].Equal(m.svid.Certificates[0]) {
		s.cfg.emit(svidEvent(m.svid))
	}
	return nil
}

func (s *FileSource) load() (*fileMaterial, error) {
	cert, key, bundle, err := s.read()
	if err != nil {
		return nil, err
	}
	return s.parse(cert, key, bundle)
}

func (s *FileSource) read() (cert, key, bundle []byte, err error) {
	if cert, err = os.ReadFile(s.certFile); err != nil {
		return nil, nil, nil, fmt.Errorf("mtls: reading SVID certificate: %w", err)
	}
	if key, err = os.ReadFile(s.keyFile); err != nil {
		return nil, nil, nil, fmt.Errorf("mtls: reading SVID key: %w", err)
	}
	if bundle, err = os.ReadFile(s.bundleFile); err != nil {
		return nil, nil, nil, fmt.Errorf("mtls: reading bundle: %w", err)
	}
	return cert, key, bundle, nil
}

func (s *FileSource) parse(cert, key, bundle []byte) (*fileMaterial, error) {
	svid, err := x509svid.Parse(cert, key)
	if err != nil {
		return nil, fmt.Errorf("mtls: SVID in %s / %s: %w", s.certFile, s.keyFile, err)
	}
	b, err := x509bundle.Parse(svid.ID.TrustDomain(), bundle)
	if err != nil {
		return nil, fmt.Errorf("mtls: bundle in %s: %w", s.bundleFile, err)
	}
	if b.Empty() {
		return nil, fmt.Errorf("mtls: bundle in %s holds no certificate", s.bundleFile)
	}
	if _, _, err := x509svid.Verify(svid.Certificates, b); err != nil {
		return nil, fmt.Errorf("mtls: SVID in %s does not chain to the bundle in %s: %w", s.certFile, s.bundleFile, err)
	}
	return &fileMaterial{svid: svid, bundle: b, cert: cert, key: key, bundleB: bundle}, nil
}

// GetX509SVID returns the current SVID.
func (s *FileSource) GetX509SVID() (*x509svid.SVID, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return s.current.Load().svid, nil
}

// GetX509BundleForTrustDomain returns the bundle if td is the SVID's trust
// domain.
func (s *FileSource) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	b := s.current.Load().bundle
	if b.TrustDomain() != td {
		return nil, fmt.Errorf("mtls: no bundle for trust domain %q (the file source holds %q)", td, b.TrustDomain())
	}
	return b, nil
}

// Close stops watching the files.
func (s *FileSource) Close() error {
	s.mu.Lock()
	already := s.closed.Swap(true)
	s.mu.Unlock()
	if already {
		return nil
	}
	err := s.watcher.Close()
	<-s.done
	if errors.Is(err, fsnotify.ErrClosed) {
		err = nil
	}
	return err
}
