package jwtauth

import (
	"context"
	"crypto/elliptic"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func authEcho() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Authorization"))
	})
}

func get(t *testing.T, c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b), nil
}

func TestTransportAttachesTokenOverHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(authEcho())
	defer srv.Close()
	c := &http.Client{Transport: Transport(srv.Client().Transport, StaticToken("tok-1"))}
	body, err := get(t, c, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-1", body)
}

func TestTransportRefusesPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(authEcho())
	defer srv.Close()
	_, err := get(t, &http.Client{Transport: Transport(srv.Client().Transport, StaticToken("tok-1"))}, srv.URL)
	assert.ErrorContains(t, err, "refusing to send a token over http")

	body, err := get(t, &http.Client{Transport: Transport(srv.Client().Transport, StaticToken("tok-1"), AllowLoopbackHTTP())}, srv.URL)
	require.NoError(t, err, "loopback with the explicit opt-in")
	assert.Equal(t, "Bearer tok-1", body)
}

func TestTransportDropsTokenOnCrossHostRedirect(t *testing.T) {
	other := httptest.NewTLSServer(authEcho())
	defer other.Close()
	origin := httptest.NewTLSServer(http.RedirectHandler(other.URL+"/x", http.StatusFound))
	defer origin.Close()
	// Both servers trust the same test CA, so one client reaches both.
	c := &http.Client{Transport: Transport(origin.Client().Transport, StaticToken("tok-1"))}
	body, err := get(t, c, origin.URL)
	require.NoError(t, err)
	assert.Empty(t, body, "the token is not sent to the other host")
}

func TestTransportPropagatesTokenSourceError(t *testing.T) {
	srv := httptest.NewTLSServer(authEcho())
	defer srv.Close()
	c := &http.Client{Transport: Transport(srv.Client().Transport, ForwardedToken())}
	_, err := get(t, c, srv.URL)
	assert.ErrorIs(t, err, ErrMissing)
}

func TestStaticAndForwardedTokenSources(t *testing.T) {
	_, err := StaticToken("").Token(context.Background())
	assert.ErrorIs(t, err, ErrMissing)
	_, err = ForwardedToken().Token(context.Background())
	assert.ErrorIs(t, err, ErrMissing)
	ctx := withVerified(context.Background(), NewClaims(map[string]any{"sub": "a"}), "incoming")
	tok, err := ForwardedToken().Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "incoming", tok)
}

// fakeSVIDs is a jwtsvid.Source that counts fetches.
type fakeSVIDs struct {
	t       *testing.T
	key     any
	clock   *fakeClock
	ttl     time.Duration
	fetches atomic.Int32
	fail    atomic.Bool
}

func newFakeSVIDs(t *testing.T, ttl time.Duration) *fakeSVIDs {
	return &fakeSVIDs{t: t, key: ecKey(t, elliptic.P256()), clock: newFakeClock(), ttl: ttl}
}

func (f *fakeSVIDs) FetchJWTSVID(_ context.Context, p jwtsvid.Params) (*jwtsvid.SVID, error) {
	n := f.fetches.Add(1)
	if f.fail.Load() {
		return nil, errors.New("workload API unavailable")
	}
	claims := svidClaims(map[string]any{"exp": f.clock.Now().Add(f.ttl).Unix(), "aud": []string{p.Audience}, "n": n})
	return jwtsvid.ParseInsecure(sign(f.t, "ES256", "kid", f.key, claims), []string{p.Audience})
}

func TestSVIDTokenSourceCachesUntilShortlyBeforeExpiry(t *testing.T) {
	f := newFakeSVIDs(t, time.Hour)
	s := NewSVIDTokenSource(f, "spiffe://example.org/orders")
	s.now = f.clock.Now
	ctx := context.Background()

	var wg sync.WaitGroup
	toks := make([]string, 8)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			toks[i], err = s.Token(ctx)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, f.fetches.Load(), "concurrent callers share one fetch")
	for _, tok := range toks {
		assert.Equal(t, toks[0], tok)
	}
	svid, err := jwtsvid.ParseInsecure(toks[0], []string{"spiffe://example.org/orders"})
	require.NoError(t, err)
	assert.Equal(t, "spiffe://example.org/web", svid.ID.String())

	f.clock.Advance(54 * time.Minute)
	_, err = s.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.fetches.Load(), "still cached with 6 minutes left")

	f.clock.Advance(2 * time.Minute)
	tok, err := s.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.fetches.Load(), "refreshed within the last 5 minutes")
	assert.NotEqual(t, toks[0], tok)
}

func TestSVIDTokenSourceKeepsValidTokenWhenFetchFails(t *testing.T) {
	f := newFakeSVIDs(t, 4*time.Minute)
	s := NewSVIDTokenSource(f, "spiffe://example.org/orders")
	s.now = f.clock.Now
	first, err := s.Token(context.Background())
	require.NoError(t, err)
	f.fail.Store(true)
	f.clock.Advance(3*time.Minute + 30*time.Second)
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first, tok, "still valid, so used while the Workload API is down")
	f.clock.Advance(time.Minute)
	_, err = s.Token(context.Background())
	assert.ErrorContains(t, err, "workload API unavailable")
}

func TestSVIDTokenSourceHonoursContext(t *testing.T) {
	s := NewSVIDTokenSource(newFakeSVIDs(t, time.Hour), "aud")
	s.sem <- struct{}{} // a fetch in progress
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Token(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	<-s.sem
}
