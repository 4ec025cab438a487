package jwtauth

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// echoHandler reports the subject and forwarded token it sees.
func echoHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFromContext(r.Context())
		if !ok {
			io.WriteString(w, "anonymous")
			return
		}
		p, _ := reqctx.PrincipalFrom(r.Context())
		fwd, _ := ForwardedToken().Token(r.Context())
		io.WriteString(w, c.Subject()+"|"+p.Subject()+"|"+fwd)
	})
}

func serve(h http.Handler, mod func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	mod(r)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddlewareAcceptsBearerToken(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	for _, h := range []string{"Bearer " + tok, "bearer  " + tok} {
		w := serve(Middleware(v)(echoHandler()), func(r *http.Request) { r.Header.Set("Authorization", h) })
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "user-1|user-1|"+tok, w.Body.String())
	}
}

func TestMiddlewareRejectsMissingAndInvalid(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	var logs bytes.Buffer
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	expired := sign(t, "ES256", "k", k, claimsFor(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}))
	h := Middleware(v, WithRealm(`orders"`))(echoHandler())
	for name, tc := range map[string]struct {
		set       func(*http.Request)
		challenge string
	}{
		"missing":      {func(*http.Request) {}, `Bearer realm="orders"`},
		"basic scheme": {func(r *http.Request) { r.SetBasicAuth("u", "p") }, `Bearer realm="orders"`},
		"expired":      {func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+expired) }, `Bearer realm="orders", error="invalid_token"`},
		"garbage":      {func(r *http.Request) { r.Header.Set("Authorization", "Bearer x.y.z") }, `Bearer realm="orders", error="invalid_token"`},
		"two headers": {func(r *http.Request) {
			r.Header.Add("Authorization", "Bearer "+expired)
			r.Header.Add("Authorization", "Bearer x")
		}, `Bearer realm="orders", error="invalid_token"`},
		"query string": {func(r *http.Request) { r.URL.RawQuery = "access_token=" + expired }, `Bearer realm="orders"`},
	} {
		w := serve(h, tc.set)
		assert.Equal(t, http.StatusUnauthorized, w.Code, name)
		assert.Equal(t, tc.challenge, w.Header().Get("WWW-Authenticate"), name)
		assert.Equal(t, "Unauthorized\n", w.Body.String(), name+": no internal detail in the body")
	}
	out := logs.String()
	assert.Contains(t, out, `"event":"authn_token_missing"`)
	assert.Contains(t, out, `"event":"authn_token_invalid"`)
	assert.Contains(t, out, "token expired")
	assert.NotContains(t, out, expired, "the token is never logged")
}

func TestMiddlewareCredentialsOptional(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	h := Middleware(v, CredentialsOptional())(echoHandler())
	w := serve(h, func(*http.Request) {})
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "anonymous", w.Body.String())
	w = serve(h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer x.y.z") })
	assert.Equal(t, http.StatusUnauthorized, w.Code, "a bad token is still refused")
}

func TestMiddlewareHeaderAndCookieOptions(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	w := serve(Middleware(v, WithHeader("X-Token"))(echoHandler()), func(r *http.Request) { r.Header.Set("X-Token", tok) })
	assert.Equal(t, http.StatusOK, w.Code)
	w = serve(Middleware(v, WithCookie("session"))(echoHandler()), func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "session", Value: tok})
	})
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "user-1")
}

func TestVerifiedEventCarriesPrincipalInContext(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	rec := &recordingHandler{}
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.Logger = slog.New(rec) })
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	w := serve(Middleware(v)(echoHandler()), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, rec.subjects, 1)
	assert.Equal(t, "user-1", rec.subjects[0], "the authn_token_valid record's context holds the claims")
}

// recordingHandler records the principal in each record's context.
type recordingHandler struct{ subjects []string }

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(ctx context.Context, _ slog.Record) error {
	if p, ok := reqctx.PrincipalFrom(ctx); ok {
		h.subjects = append(h.subjects, p.Subject())
	}
	return nil
}
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

func TestMiddlewareRefusesDuplicateTokenCookies(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	other := sign(t, "ES256", "k", k, claimsFor(map[string]any{"sub": "intruder"}))
	for _, opt := range []Option{nil, CredentialsOptional()} {
		h := Middleware(v, WithCookie("session"), opt)(echoHandler())
		w := serve(h, func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "session", Value: other})
			r.AddCookie(&http.Cookie{Name: "session", Value: tok})
		})
		assert.Equal(t, http.StatusUnauthorized, w.Code, "two session cookies are ambiguous")
		assert.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
		assert.NotContains(t, w.Body.String(), "intruder")

		w = serve(h, func(r *http.Request) {
			r.Header.Add("Cookie", "session="+other)
			r.Header.Add("Cookie", "session="+tok)
		})
		assert.Equal(t, http.StatusUnauthorized, w.Code, "also across Cookie headers")

		w = serve(h, func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "theme", Value: "dark"})
			r.AddCookie(&http.Cookie{Name: "session", Value: tok})
		})
		assert.Equal(t, http.StatusOK, w.Code, "one session cookie among others is fine")
	}
}
