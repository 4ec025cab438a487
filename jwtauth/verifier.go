package jwtauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/ztkit/ztkit/logging"
)

// Verifier verifies tokens from the configured issuers. It is safe for
// concurrent use; Close stops its background key refresh.
type Verifier struct {
	cfg     Config
	issuers map[string]*issuer
	spiffe  *issuer // the SPIFFE bundle issuer without an "iss", if any
	remotes []*remote
	enc     *base64.Encoding
	client  *http.Client
	cache   *tokenCache

	base   context.Context // ends on Close; parent of every fetch
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// NewVerifier checks cfg, reporting every problem found, and fetches the
// keys of remote issuers. It blocks until those keys arrived or ctx ends;
// unless cfg.StartWithoutKeys is set, a failed first fetch is an error.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	errs := cfg.validate()
	c := cfg.withDefaults()
	v := &Verifier{
		cfg:     c,
		issuers: make(map[string]*issuer, len(c.Issuers)),
		enc:     base64.RawURLEncoding.Strict(),
		done:    make(chan struct{}),
	}
	for i, is := range c.Issuers {
		ri, problems := compileIssuer(is, c.AllowLoopbackHTTP)
		for _, p := range problems {
			errs = append(errs, fmt.Errorf("jwtauth: Issuers[%d]%s", i, p))
		}
		_, dup := v.issuers[is.Issuer]
		if dup || (is.Issuer == "" && v.spiffe != nil) {
			errs = append(errs, fmt.Errorf("jwtauth: Issuers[%d].Issuer: %s is configured twice", i, quote(is.Issuer)))
		}
		if is.Issuer == "" {
			v.spiffe = ri
		} else {
			v.issuers[is.Issuer] = ri
		}
		if ri.remote != nil {
			ri.remote.v = v
			v.remotes = append(v.remotes, ri.remote)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	v.base, v.cancel = context.WithCancel(context.Background())
	v.client = httpClient(c.HTTPClient, c.AllowLoopbackHTTP)
	if c.CacheSize > 0 {
		v.cache = newTokenCache(c.CacheSize)
	}
	if err := v.start(ctx); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// start runs the first fetch of every remote issuer and then the background
// refresh loops.
func (v *Verifier) start(ctx context.Context) error {
	waits := make([]<-chan struct{}, len(v.remotes))
	for i, r := range v.remotes {
		waits[i] = r.refresh()
	}
	if !v.cfg.StartWithoutKeys {
		var errs []error
		for i, ch := range waits {
			select {
			case <-ch:
			case <-ctx.Done():
				return fmt.Errorf("jwtauth: waiting for the first keys: %w", ctx.Err())
			}
			if err := v.remotes[i].lastError(); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	for _, r := range v.remotes {
		if v.track() {
			go r.loop()
		}
	}
	return nil
}

// track registers a goroutine that Close waits for; false once closed.
func (v *Verifier) track() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return false
	}
	v.wg.Add(1)
	return true
}

// Close stops background key refresh and waits for running fetches to end.
// Verify keeps working with the keys already held.
func (v *Verifier) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	close(v.done)
	v.mu.Unlock()
	v.cancel()
	v.wg.Wait()
	return nil
}

// Verify checks token completely (form, issuer, algorithm, key, signature,
// exp/nbf/iat, audience, required claims) and returns its claims. Errors
// wrap the package's sentinels (ErrExpired, ...) and never contain the
// token. An unknown kid may wait for one rate-limited refetch of the
// issuer's keys, bounded by ctx.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	c, err := v.verify(ctx, token)
	v.report(ctx, c, err)
	return c, err
}

// report logs the outcome of a verification as a security event. For a
// verified token, ctx should already carry its claims.
func (v *Verifier) report(ctx context.Context, c *Claims, err error) {
	l := v.cfg.Logger
	switch {
	case err == nil:
		logging.LogEvent(ctx, l, slog.LevelDebug, logging.AuthnTokenValid, "jwtauth: token verified",
			slog.String("issuer", c.Issuer()), slog.String("subject", c.Subject()))
	case errors.Is(err, ErrMissing):
		logging.LogEvent(ctx, l, slog.LevelInfo, logging.AuthnTokenMissing, "jwtauth: no token")
	default:
		logging.LogEvent(ctx, l, slog.LevelWarn, logging.AuthnTokenInvalid, "jwtauth: token rejected",
			slog.String("error", err.Error()))
	}
}
