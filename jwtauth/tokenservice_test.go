package jwtauth

import (
	"crypto/elliptic"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// tokenService is a test OIDC provider: discovery and a JWKS over TLS, with
// rotating keys and switchable failure modes.
type tokenService struct {
	t      testing.TB
	srv    *httptest.Server
	hits   atomic.Int32 // JWKS requests
	mu     sync.Mutex
	keys   map[string]any
	mode   string // "", "500", "html", "huge", "slow", "notjson"
	cc     string // Cache-Control of the JWKS
	issuer string // issuer named by discovery; defaults to the server URL
}

func newTokenService(t testing.TB) *tokenService {
	ts := &tokenService{t: t, keys: map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		ts.mu.Lock()
		iss := ts.issuer
		ts.mu.Unlock()
		if iss == "" {
			iss = ts.srv.URL
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": ts.srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", ts.serveJWKS)
	ts.srv = httptest.NewTLSServer(mux)
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *tokenService) serveJWKS(w http.ResponseWriter, r *http.Request) {
	ts.hits.Add(1)
	ts.mu.Lock()
	mode, cc := ts.mode, ts.cc
	body := jwksJSON(ts.t, ts.keys)
	ts.mu.Unlock()
	switch mode {
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Sign in</body></html>"))
	case "notjson":
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("keys are elsewhere"))
	case "huge":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`))
	case "slow":
		<-r.Context().Done()
	default:
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

func (ts *tokenService) setKeys(keys map[string]any) {
	ts.mu.Lock()
	ts.keys = keys
	ts.mu.Unlock()
}

func (ts *tokenService) setMode(mode string) {
	ts.mu.Lock()
	ts.mode = mode
	ts.mu.Unlock()
}

// config returns a verifier config for the service's issuer.
func (ts *tokenService) config(keys KeySource) Config {
	return Config{
		Issuers:    []Issuer{{Issuer: ts.srv.URL, Audiences: []string{testAudience}, Keys: keys}},
		HTTPClient: ts.srv.Client(),
	}
}

func (ts *tokenService) claims(extra map[string]any) map[string]any {
	c := claimsFor(extra)
	c["iss"] = ts.srv.URL
	return c
}

func (ts *tokenService) verifier(t testing.TB, mod func(*Config)) *Verifier {
	t.Helper()
	cfg := ts.config(JWKSURL(ts.srv.URL + "/jwks"))
	return mustVerifier(t, cfg, mod)
}

func newECKeys(t testing.TB, kids ...string) map[string]any {
	m := map[string]any{}
	for _, k := range kids {
		m[k] = ecKey(t, elliptic.P256())
	}
	return m
}
