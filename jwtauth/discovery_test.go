package jwtauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// movingProvider is an OIDC provider whose discovery document can point at
// another JWKS, or fail.
type movingProvider struct {
	srv       *httptest.Server
	discovery atomic.Int32
	mu        sync.Mutex
	jwksPath  string
	failing   bool
	keys      map[string]map[string]any // by JWKS path
}

func newMovingProvider(t *testing.T) *movingProvider {
	p := &movingProvider{jwksPath: "/jwks-a", keys: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		p.discovery.Add(1)
		p.mu.Lock()
		path, failing := p.jwksPath, p.failing
		p.mu.Unlock()
		if failing {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + path})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		keys, ok := p.keys[r.URL.Path]
		p.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwksJSON(t, keys))
	})
	p.srv = httptest.NewTLSServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *movingProvider) set(f func(p *movingProvider)) {
	p.mu.Lock()
	f(p)
	p.mu.Unlock()
}

func TestDiscoveryFollowsMovedJWKSURI(t *testing.T) {
	p := newMovingProvider(t)
	a, b := newECKeys(t, "a1"), newECKeys(t, "b1")
	p.set(func(p *movingProvider) { p.keys["/jwks-a"] = a })
	clock := newFakeClock()
	v := mustVerifier(t, Config{
		Issuers:    []Issuer{{Issuer: p.srv.URL, Audiences: []string{testAudience}, Keys: OIDCDiscovery()}},
		HTTPClient: p.srv.Client(),
		now:        clock.Now,
	}, nil)
	ctx := context.Background()
	claims := claimsFor(map[string]any{"iss": p.srv.URL})
	_, err := v.Verify(ctx, sign(t, "ES256", "a1", a["a1"], claims))
	require.NoError(t, err)
	require.EqualValues(t, 1, p.discovery.Load())

	// The provider moves its keys; the old JWKS URL disappears.
	p.set(func(p *movingProvider) {
		p.jwksPath, p.keys["/jwks-b"] = "/jwks-b", b
		delete(p.keys, "/jwks-a")
	})
	_, err = v.Verify(ctx, sign(t, "ES256", "b1", b["b1"], claims))
	require.NoError(t, err, "the unknown-kid refetch discovers the new jwks_uri")
	assert.EqualValues(t, 2, p.discovery.Load())

	// Discovery failing keeps the last good keys.
	p.set(func(p *movingProvider) { p.failing = true })
	clock.Advance(2 * time.Minute)
	_, err = v.Verify(ctx, sign(t, "ES256", "x1", b["b1"], claims))
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.EqualValues(t, 3, p.discovery.Load(), "the refetch tried discovery")
	assert.ErrorContains(t, v.remotes[0].lastError(), "503")
	_, err = v.Verify(ctx, sign(t, "ES256", "b1", b["b1"], claims))
	assert.NoError(t, err, "the keys from before the failure still verify")
}
