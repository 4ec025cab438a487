package jwtauth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ztkit/ztkit/logging"
)

// remote keeps one issuer's fetched keys fresh. At most one fetch runs at a
// time; everyone who needs fresh keys while it runs waits for that fetch.
type remote struct {
	iss          *issuer
	v            *Verifier
	jwksURL      string // configured, or found by discovery
	discoveryURL string

	mu         sync.Mutex
	inflight   chan struct{} // closed when the running fetch ends
	lastDemand time.Time     // last refetch caused by an unknown kid
	lastErr    error
	failures   int
	nextDelay  time.Duration
}

// refresh starts a fetch, or joins the one running, and returns a channel
// closed when it has ended.
func (r *remote) refresh() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startLocked()
}

func (r *remote) startLocked() <-chan struct{} {
	if r.inflight != nil {
		return r.inflight
	}
	ch := make(chan struct{})
	if !r.v.track() {
		close(ch)
		return ch
	}
	r.inflight = ch
	go r.run(ch)
	return ch
}

func (r *remote) run(done chan struct{}) {
	defer r.v.wg.Done()
	ctx, cancel := context.WithTimeout(r.v.base, r.v.cfg.FetchTimeout)
	defer cancel()
	ks, age, err := r.fetchKeys(ctx)
	if err == nil {
		r.install(ks)
	} else {
		logging.LogEvent(r.v.base, r.v.cfg.Logger, slog.LevelError, logging.KeysRefreshFail,
			"jwtauth: refreshing keys failed; keeping the last good keys",
			slog.String("issuer", r.iss.name), slog.String("error", err.Error()))
	}
	r.mu.Lock()
	r.inflight = nil
	r.lastErr = err
	cfg := &r.v.cfg
	if err == nil {
		r.failures = 0
		if age == 0 {
			age = cfg.RefreshMax
		}
		r.nextDelay = min(max(age, cfg.RefreshMin), cfg.RefreshMax)
	} else {
		r.failures++
		r.nextDelay = min(cfg.UnknownKeyInterval<<min(r.failures-1, 10), cfg.RefreshMin)
	}
	r.mu.Unlock()
	close(done)
}

// install replaces the key set when it changed, and flushes the token cache
// so that tokens of a removed key are verified again.
func (r *remote) install(ks *keySet) {
	old := r.iss.keys.Load()
	if old != nil && old.fingerprint == ks.fingerprint {
		return
	}
	r.iss.keys.Store(ks)
	if r.v.cache != nil {
		r.v.cache.flush()
	}
}

// refetchForUnknownKey refetches the keys because a token named a kid that
// is not in them, at most once per UnknownKeyInterval (joining a running
// fetch is always allowed). It reports whether a fetch ended.
func (r *remote) refetchForUnknownKey(ctx context.Context) bool {
	now := r.v.cfg.now()
	r.mu.Lock()
	var ch <-chan struct{} = r.inflight
	if r.inflight == nil {
		if !r.lastDemand.IsZero() && now.Sub(r.lastDemand) < r.v.cfg.UnknownKeyInterval {
			r.mu.Unlock()
			return false
		}
		r.lastDemand = now
		ch = r.startLocked()
	}
	r.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// lastError returns the error of the last fetch, if it failed.
func (r *remote) lastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// loop refreshes the keys in the background until the verifier closes.
func (r *remote) loop() {
	defer r.v.wg.Done()
	r.mu.Lock()
	delay := r.nextDelay
	r.mu.Unlock()
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-r.v.done:
			return
		case <-t.C:
		}
		select {
		case <-r.refresh():
		case <-r.v.done:
			return
		}
		r.mu.Lock()
		delay = r.nextDelay
		r.mu.Unlock()
		t.Reset(delay)
	}
}
