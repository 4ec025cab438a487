package jwtauth

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRotationNewKidAcceptedAfterOneRefetch(t *testing.T) {
	ts := newTokenService(t)
	old := newECKeys(t, "k1")
	ts.setKeys(old)
	v := ts.verifier(t, nil)
	ctx := context.Background()
	_, err := v.Verify(ctx, sign(t, "ES256", "k1", old["k1"], ts.claims(nil)))
	require.NoError(t, err)
	require.EqualValues(t, 1, ts.hits.Load())

	rotated := newECKeys(t, "k2")
	ts.setKeys(rotated)
	_, err = v.Verify(ctx, sign(t, "ES256", "k2", rotated["k2"], ts.claims(nil)))
	require.NoError(t, err)
	assert.EqualValues(t, 2, ts.hits.Load(), "exactly one refetch")
	_, err = v.Verify(ctx, sign(t, "ES256", "k1", old["k1"], ts.claims(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey, "the removed key no longer verifies")
}

func TestUnknownKidFloodFetchesAtMostOncePerInterval(t *testing.T) {
	ts := newTokenService(t)
	keys := newECKeys(t, "k1")
	ts.setKeys(keys)
	clock := newFakeClock()
	v := ts.verifier(t, func(c *Config) { c.now = clock.Now })
	attacker := ecKey(t, elliptic.P256())
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(ctx, sign(t, "ES256", fmt.Sprintf("random-%d", i), attacker, ts.claims(nil)))
			assert.ErrorIs(t, err, ErrUnknownKey)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, ts.hits.Load(), "the first fetch plus one refetch for the whole flood")

	clock.Advance(30 * time.Second)
	_, err := v.Verify(ctx, sign(t, "ES256", "random-x", attacker, ts.claims(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.EqualValues(t, 2, ts.hits.Load(), "still within the interval")

	clock.Advance(31 * time.Second)
	_, err = v.Verify(ctx, sign(t, "ES256", "random-y", attacker, ts.claims(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.EqualValues(t, 3, ts.hits.Load(), "one more after the interval")

	_, err = v.Verify(ctx, sign(t, "ES256", "k1", keys["k1"], ts.claims(nil)))
	assert.NoError(t, err, "known keys keep working throughout")
}

func TestFailedRefreshKeepsLastGoodKeys(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{
		{"500", "500 Internal Server Error"},
		{"html", "returned an HTML page, not JSON"},
		{"notjson", "returned a text/plain body, not JSON"},
		{"huge", "larger than 1048576 bytes"},
		{"slow", "context deadline exceeded"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			ts := newTokenService(t)
			keys := newECKeys(t, "k1")
			ts.setKeys(keys)
			clock := newFakeClock()
			var logs bytes.Buffer
			var mu sync.Mutex
			v := ts.verifier(t, func(c *Config) {
				c.now = clock.Now
				c.FetchTimeout = 1500 * time.Millisecond
				c.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
			})
			ts.setMode(tc.mode)
			good := sign(t, "ES256", "k1", keys["k1"], ts.claims(nil))

			_, err := v.Verify(context.Background(), sign(t, "ES256", "k2", keys["k1"], ts.claims(nil)))
			require.ErrorIs(t, err, ErrUnknownKey)
			assert.EqualValues(t, 2, ts.hits.Load(), "the unknown kid caused a refetch")
			_, err = v.Verify(context.Background(), good)
			assert.NoError(t, err, "last good keys still in use")

			mu.Lock()
			out := logs.String()
			mu.Unlock()
			assert.Contains(t, out, `"event":"sys_keys_refresh_fail"`)
			assert.Contains(t, out, tc.want)
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStartupWithKeysDown(t *testing.T) {
	ts := newTokenService(t)
	keys := newECKeys(t, "k1")
	ts.setKeys(keys)
	ts.setMode("html")

	_, err := NewVerifier(context.Background(), ts.config(JWKSURL(ts.srv.URL+"/jwks")))
	require.Error(t, err, "fails fast by default")
	assert.Contains(t, err.Error(), "HTML page")

	cfg := ts.config(JWKSURL(ts.srv.URL + "/jwks"))
	cfg.StartWithoutKeys = true
	cfg.UnknownKeyInterval = time.Millisecond
	v, err := NewVerifier(context.Background(), cfg)
	require.NoError(t, err)
	defer v.Close()
	tok := sign(t, "ES256", "k1", keys["k1"], ts.claims(nil))
	_, err = v.Verify(context.Background(), tok)
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Contains(t, err.Error(), "not available yet")

	ts.setMode("")
	require.Eventually(t, func() bool {
		_, err := v.Verify(context.Background(), tok)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond, "accepted once the keys arrive")
}

func TestOIDCDiscovery(t *testing.T) {
	ts := newTokenService(t)
	keys := newECKeys(t, "k1")
	ts.setKeys(keys)
	v, err := NewVerifier(context.Background(), ts.config(OIDCDiscovery()))
	require.NoError(t, err)
	defer v.Close()
	_, err = v.Verify(context.Background(), sign(t, "ES256", "k1", keys["k1"], ts.claims(nil)))
	assert.NoError(t, err)

	ts.mu.Lock()
	ts.issuer = "https://impostor.example"
	ts.mu.Unlock()
	_, err = NewVerifier(context.Background(), ts.config(OIDCDiscovery()))
	assert.ErrorContains(t, err, `names issuer "https://impostor.example"`)
}

func TestRemoteKeysNeedHTTPS(t *testing.T) {
	keys := newECKeys(t, "k1")
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(jwksJSON(t, keys))
	}))
	defer plain.Close()
	cfg := Config{Issuers: []Issuer{{Issuer: plain.URL, Audiences: []string{testAudience}, Keys: JWKSURL(plain.URL)}}, HTTPClient: plain.Client()}
	_, err := NewVerifier(context.Background(), cfg)
	assert.ErrorContains(t, err, "must use https")

	cfg.AllowLoopbackHTTP = true
	v, err := NewVerifier(context.Background(), cfg)
	require.NoError(t, err, "loopback http with the explicit opt-in")
	defer v.Close()
	c := claimsFor(map[string]any{"iss": plain.URL})
	_, err = v.Verify(context.Background(), sign(t, "ES256", "k1", keys["k1"], c))
	assert.NoError(t, err)

	cfg.Issuers[0].Keys = JWKSURL("http://keys.example/jwks")
	_, err = NewVerifier(context.Background(), cfg)
	assert.ErrorContains(t, err, "must use https", "the opt-in covers loopback only")
}

func TestRedirectToPlainHTTPRefused(t *testing.T) {
	keys := newECKeys(t, "k1")
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(jwksJSON(t, keys))
	}))
	defer plain.Close()
	redirector := httptest.NewTLSServer(http.RedirectHandler("http://keys.example/jwks", http.StatusFound))
	defer redirector.Close()
	cfg := Config{
		Issuers:    []Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: JWKSURL(redirector.URL)}},
		HTTPClient: redirector.Client(),
	}
	_, err := NewVerifier(context.Background(), cfg)
	assert.ErrorContains(t, err, "must use https")
}

func TestRefreshIntervalFollowsCacheControl(t *testing.T) {
	assert.Equal(t, 10*time.Minute, maxAge("public, max-age=600"))
	assert.Equal(t, time.Duration(0), maxAge("no-store, max-age=600"))
	assert.Equal(t, time.Duration(0), maxAge("max-age=abc"))
	assert.Equal(t, time.Duration(0), maxAge(""))

	ts := newTokenService(t)
	ts.setKeys(newECKeys(t, "k1"))
	for _, tc := range []struct {
		cc   string
		want time.Duration
	}{
		{"max-age=600", 10 * time.Minute},
		{"max-age=5", DefaultRefreshMin},
		{"max-age=999999", DefaultRefreshMax},
		{"", DefaultRefreshMax},
	} {
		ts.mu.Lock()
		ts.cc = tc.cc
		ts.mu.Unlock()
		v := ts.verifier(t, nil)
		r := v.remotes[0]
		r.mu.Lock()
		got := r.nextDelay
		r.mu.Unlock()
		assert.Equal(t, tc.want, got, tc.cc)
		v.Close()
	}
}

func TestBackgroundRefreshPicksUpNewKeys(t *testing.T) {
	ts := newTokenService(t)
	ts.setKeys(newECKeys(t, "k1"))
	v := ts.verifier(t, func(c *Config) {
		c.RefreshMin, c.RefreshMax = 20*time.Millisecond, 20*time.Millisecond
		c.UnknownKeyInterval = time.Hour
	})
	_, err := v.Verify(context.Background(), sign(t, "ES256", "k1", ecKey(t, elliptic.P256()), ts.claims(nil)))
	require.ErrorIs(t, err, ErrBadSignature)
	next := newECKeys(t, "k9")
	ts.setKeys(next)
	require.Eventually(t, func() bool {
		return v.issuers[ts.srv.URL].keys.Load().byKID["k9"] != nil
	}, 5*time.Second, 5*time.Millisecond)
	_, err = v.Verify(context.Background(), sign(t, "ES256", "k9", next["k9"], ts.claims(nil)))
	assert.NoError(t, err)
}

func TestUnknownIssuerNeverFetches(t *testing.T) {
	ts := newTokenService(t)
	keys := newECKeys(t, "k1")
	ts.setKeys(keys)
	v := ts.verifier(t, nil)
	before := ts.hits.Load()
	_, err := v.Verify(context.Background(), sign(t, "ES256", "unknown-kid", keys["k1"], claimsFor(map[string]any{"iss": "https://evil.example"})))
	assert.ErrorIs(t, err, ErrUnknownIssuer)
	assert.Equal(t, before, ts.hits.Load())
}

func TestNewVerifierHonoursContextWhileKeysAreSlow(t *testing.T) {
	ts := newTokenService(t)
	ts.setMode("slow")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := NewVerifier(ctx, ts.config(JWKSURL(ts.srv.URL+"/jwks")))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
