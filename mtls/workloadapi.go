package mtls

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// WorkloadAPISource keeps the workload's X.509-SVID and bundles current by
// watching the SPIFFE Workload API (a SPIRE agent in production,
// mtls/devagent in development). It reconnects on its own when the agent
// restarts, and serves the last good SVID meanwhile.
type WorkloadAPISource struct {
	cfg    sourceConfig
	addr   string
	client *workloadapi.Client
	cancel context.CancelFunc
	done   chan struct{}

	current   atomic.Pointer[workloadapi.X509Context]
	ready     chan struct{}
	readyOnce sync.Once
	closed    atomic.Bool

	mu      sync.Mutex
	lastErr error
}

// NewWorkloadAPISource connects to the Workload API and blocks until the
// first SVID arrives, the readiness timeout passes or ctx ends. The address
// comes from WithAddr, or else from SPIFFE_ENDPOINT_SOCKET. Close releases it.
func NewWorkloadAPISource(ctx context.Context, opts ...SourceOption) (*WorkloadAPISource, error) {
	cfg := newSourceConfig(opts)
	addr := cfg.addr
	if addr == "" {
		addr, _ = workloadapi.GetDefaultAddress()
	}
	if addr == "" {
		return nil, fmt.Errorf("%w: set SPIFFE_ENDPOINT_SOCKET or pass mtls.WithAddr", ErrNoAddress)
	}
	if err := workloadapi.ValidateAddress(addr); err != nil {
		return nil, fmt.Errorf("mtls: invalid Workload API address %q: %w", addr, err)
	}
	watchCtx, cancel := context.WithCancel(context.Background())
	client, err := workloadapi.New(watchCtx, workloadapi.WithAddr(addr),
		workloadapi.WithBackoffStrategy(quickBackoff{}))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mtls: Workload API client for %s: %w", addr, err)
	}
	s := &WorkloadAPISource{
		cfg: cfg, addr: addr, client: client, cancel: cancel,
		done: make(chan struct{}), ready: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = client.WatchX509Context(watchCtx, (*x509Watcher)(s))
	}()

	timer := time.NewTimer(cfg.readyTimeout)
	defer timer.Stop()
	select {
	case <-s.ready:
		return s, nil
	case <-timer.C:
	case <-ctx.Done():
	}
	err = s.notReadyError()
	_ = s.Close()
	return nil, err
}

func (s *WorkloadAPISource) notReadyError() error {
	s.mu.Lock()
	last := s.lastErr
	s.mu.Unlock()
	hint := "is the SPIFFE agent (SPIRE agent or mtls/devagent) running and listening there, and is this workload registered with it?"
	switch status.Code(last) {
	case codes.Unavailable:
		hint = "nothing answered there: is the SPIFFE agent (SPIRE agent or mtls/devagent) running, and is the address right?"
	case codes.PermissionDenied:
		hint = "the agent answered but issued no identity: is this workload registered (spire-server entry create) with selectors that match it?"
	}
	if last != nil {
		return fmt.Errorf("%w: no X.509-SVID from the Workload API at %s within %s: %s (last error: %w)",
			ErrNotReady, s.addr, s.cfg.readyTimeout, hint, last)
	}
	return fmt.Errorf("%w: no X.509-SVID from the Workload API at %s within %s: %s",
		ErrNotReady, s.addr, s.cfg.readyTimeout, hint)
}

// GetX509SVID returns the current SVID.
func (s *WorkloadAPISource) GetX509SVID() (*x509svid.SVID, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	c := s.current.Load()
	if c == nil || len(c.SVIDs) == 0 {
		return nil, fmt.Errorf("%w: no SVID received yet", ErrNotReady)
	}
	return c.DefaultSVID(), nil
}

// GetX509BundleForTrustDomain returns the current bundle for td.
func (s *WorkloadAPISource) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	c := s.current.Load()
	if c == nil {
		return nil, fmt.Errorf("%w: no bundle received yet", ErrNotReady)
	}
	return c.Bundles.GetX509BundleForTrustDomain(td)
}

// Close stops watching the Workload API and waits for the watch to end.
func (s *WorkloadAPISource) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	<-s.done
	return s.client.Close()
}

// x509Watcher is the source seen as a workloadapi.X509ContextWatcher, kept
// unexported so the callbacks are not part of the source's API.
type x509Watcher WorkloadAPISource

func (w *x509Watcher) OnX509ContextUpdate(c *workloadapi.X509Context) {
	s := (*WorkloadAPISource)(w)
	if len(c.SVIDs) == 0 {
		return
	}
	prev := s.current.Swap(c)
	svid := c.DefaultSVID()
	if prev == nil || len(prev.SVIDs) == 0 || !prev.DefaultSVID().Certificates[0].Equal(svid.Certificates[0]) {
		s.cfg.emit(svidEvent(svid))
	}
	// Ready only after the first event, so the constructor returns with it
	// already delivered.
	s.readyOnce.Do(func() { close(s.ready) })
}

func (w *x509Watcher) OnX509ContextWatchError(err error) {
	s := (*WorkloadAPISource)(w)
	if status.Code(err) == codes.Canceled || errors.Is(err, context.Canceled) {
		return
	}
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	s.cfg.emit(Event{Kind: SourceError, Err: fmt.Errorf("mtls: watching the Workload API at %s: %w", s.addr, err)})
}

// quickBackoff retries a lost Workload API stream after 100ms, doubling to
// at most 5s, so a restarted agent is picked up within seconds.
type quickBackoff struct{}

func (quickBackoff) NewBackoff() workloadapi.Backoff { return &doublingBackoff{} }

type doublingBackoff struct{ next time.Duration }

func (b *doublingBackoff) Next() time.Duration {
	if b.next == 0 {
		b.next = 100 * time.Millisecond
	}
	d := b.next
	b.next = min(2*b.next, 5*time.Second)
	return d
}

func (b *doublingBackoff) Reset() { b.next = 0 }
