package logging

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/internal/reqctx"
)

type principal struct{ iss, sub string }

func (p principal) Issuer() string  { return p.iss }
func (p principal) Subject() string { return p.sub }

func spanCtx(ctx context.Context) context.Context {
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	return trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
}

// authz stands for the inner layers: it learns the principal, puts it in
// a derived context and logs its decision through LogEvent.
func authz(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := reqctx.WithPrincipal(r.Context(), principal{"https://issuer.example", "user-42"})
		LogEvent(ctx, l, slog.LevelInfo, AuthzAllow, "allowed")
		AddAccessAttrs(ctx, slog.String("route", "/orders/{id}"))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func TestAccessLogHTTP(t *testing.T) {
	l, buf := capture(t, nil)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "hello")
	})
	h := AccessLog(l)(authz(l, app))
	r := httptest.NewRequest(http.MethodPost, "/orders/7?token=abc123secret&x=1", strings.NewReader("body"))
	r.Header.Set("User-Agent", "curl/8\nforged")
	r.Header.Set("Authorization", "Bearer abcdef0123456789")
	r.Header.Set("Cookie", "sid=cookiesecret")
	r.Header.Set("X-Request-Id", "header-id")
	id := spiffeid.RequireFromString("spiffe://example.org/ns/prod/sa/web")
	ctx := reqctx.WithRequestID(reqctx.WithPeerID(spanCtx(r.Context()), id), "req-1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(ctx))
	assert.Equal(t, http.StatusCreated, w.Code)

	recs := lines(t, buf.Bytes())
	require.Len(t, recs, 2)
	assert.Equal(t, "authz_allow", recs[0]["event"])
	m := recs[1]
	assert.Equal(t, "http request", m["msg"])
	assert.Equal(t, "POST", m["method"])
	assert.Equal(t, "/orders/7", m["path"])
	assert.Equal(t, 201.0, m["status"])
	assert.Equal(t, 5.0, m["bytes"])
	assert.Equal(t, 4.0, m["request_bytes"])
	assert.Equal(t, id.String(), m["peer_id"])
	assert.Equal(t, "user-42", m["subject"])
	assert.Equal(t, "https://issuer.example", m["issuer"])
	assert.Equal(t, "req-1", m["request_id"])
	assert.Equal(t, "/orders/{id}", m["route"])
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", m["trace_id"])
	assert.Contains(t, m, "duration_ms")
	assert.Equal(t, map[string]any{"user-agent": "curl/8\nforged"}, m["headers"])
	out := buf.String()
	for _, s := range []string{"abc123secret", "abcdef0123456789", "cookiesecret"} {
		assert.NotContains(t, out, s)
	}
}

func TestAccessLogHeaderAllowlistAndOtherHandlers(t *testing.T) {
	var buf bytes.Buffer
	plain := slog.New(slog.NewJSONHandler(&buf, nil))
	h := AccessLog(plain, WithHeaders("authorization", "x-tenant"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer abcdef0123456789")
	r.Header.Set("X-Tenant", "acme")
	r.Header.Set("User-Agent", "ua")
	h.ServeHTTP(httptest.NewRecorder(), r.WithContext(spanCtx(r.Context())))
	m := lines(t, buf.Bytes())[0]
	assert.Equal(t, 200.0, m["status"])
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", m["trace_id"], "trace ids added for a foreign handler")
	assert.Equal(t, map[string]any{"authorization": "Bearer abcdef0123456789", "x-tenant": "acme"}, m["headers"],
		"a foreign handler does not sanitise; ours would")

	l, ours := capture(t, nil)
	h = AccessLog(l, WithHeaders("Authorization"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, map[string]any{"authorization": "[REDACTED:key]"}, lines(t, ours.Bytes())[0]["headers"])
}

func TestAccessLogPanicAndNilLogger(t *testing.T) {
	l, buf := capture(t, nil)
	h := AccessLog(l)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }))
	assert.PanicsWithValue(t, "boom", func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/p", nil))
	})
	m := lines(t, buf.Bytes())[0]
	assert.Equal(t, 500.0, m["status"])
	assert.Equal(t, true, m["panic"])
	assert.Equal(t, "WARN", m["level"])

	called := false
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })
	AccessLog(nil)(next).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	assert.True(t, called)
	AddAccessAttrs(context.Background(), slog.Int("ignored", 1))
}

func TestAccessLogFlusher(t *testing.T) {
	l, _ := capture(t, nil)
	h := AccessLog(l)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		require.True(t, ok)
		_, _ = io.WriteString(w, "x")
		f.Flush()
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.True(t, w.Flushed)
}
