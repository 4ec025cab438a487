package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/internal/reqctx"
)

const httpPolicy = `
version: 1
rules:
  - name: orders
    action: allow
    from:
      principals: ["spiffe://example.org/ns/shop/*"]
    to:
      methods: [GET]
      paths: ["/v1/orders/{id}"]
  - name: reports
    action: allow
    from:
      requestPrincipals: ["https://issuer.example/alice"]
    to:
      paths: ["/v1/reports"]
  - name: no-debug
    action: deny
    to:
      paths: ["/debug/*"]
`

func serve(t *testing.T, h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddleware(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := mustAuthorizer(t, httpPolicy, WithLogger(l))
	reached := 0
	h := Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		w.WriteHeader(http.StatusNoContent)
	}))
	shop := reqctx.WithPeerID(context.Background(), mustID(t, "spiffe://example.org/ns/shop/web"))
	alice := reqctx.WithPrincipal(context.Background(), testClaims{"iss": "https://issuer.example", "sub": "alice"})

	tests := []struct {
		name   string
		ctx    context.Context
		method string
		target string
		code   int
	}{
		{"allowed by peer", shop, "GET", "/v1/orders/7", http.StatusNoContent},
		{"allowed by token", alice, "POST", "/v1/reports", http.StatusNoContent},
		{"wrong method", shop, "POST", "/v1/orders/7", http.StatusForbidden},
		{"no identity", context.Background(), "GET", "/v1/orders/7", http.StatusForbidden},
		{"denied", shop, "GET", "/debug/vars", http.StatusForbidden},
		{"dot segments", shop, "GET", "/v1/orders/../orders/7", http.StatusBadRequest},
		{"encoded dots", shop, "GET", "/v1/%2e%2e/debug/vars", http.StatusBadRequest},
		{"double slash", shop, "GET", "//v1/orders/7", http.StatusBadRequest},
		{"encoded slash", shop, "GET", "/v1/orders/7%2F", http.StatusBadRequest},
		{"encoded letter", shop, "GET", "/v1/ord%65rs/7", http.StatusNoContent},
		{"trailing slash", shop, "GET", "/v1/orders/7/", http.StatusNoContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := reached
			r := httptest.NewRequest(tc.method, tc.target, nil).WithContext(tc.ctx)
			w := serve(t, h, r)
			assert.Equal(t, tc.code, w.Code)
			assert.Equal(t, tc.code == http.StatusNoContent, reached == before+1, "handler reached")
			if tc.code == http.StatusForbidden {
				assert.Equal(t, "forbidden\n", w.Body.String(), "no policy detail in the body")
			}
			if tc.code == http.StatusBadRequest {
				assert.Equal(t, "bad request\n", w.Body.String())
			}
		})
	}

	events := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		ev, _ := rec["event"].(string)
		events[ev]++
		if ev == "authz_fail" && rec["rule"] == "no-debug" {
			assert.Equal(t, "spiffe://example.org/ns/shop/web", rec["peer"])
			assert.Equal(t, "GET /debug/vars", rec["operation"])
			assert.Equal(t, "WARN", rec["level"])
		}
		if ev == "authz_allow" && rec["rule"] == "reports" {
			assert.Equal(t, "alice", rec["subject"])
		}
	}
	assert.Equal(t, 1, events["authz_change"])
	assert.Equal(t, 4, events["authz_allow"])
	assert.Equal(t, 3, events["authz_fail"])
	assert.Equal(t, 4, events["input_validation_fail"])
}

func TestMiddlewareDryRun(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logs, nil))
	a := mustAuthorizer(t, httpPolicy, WithDryRun(), WithLogger(l))
	h := Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	for _, target := range []string{"/debug/vars", "/nothing", "/a/../b"} {
		w := serve(t, h, httptest.NewRequest("GET", target, nil))
		assert.Equal(t, http.StatusOK, w.Code, target)
		assert.Equal(t, "ok", w.Body.String())
	}
	out := logs.String()
	assert.Contains(t, out, `"msg":"request would be denied (dry run)"`)
	assert.Contains(t, out, `"msg":"request would be rejected as ambiguous (dry run)"`)
	assert.Contains(t, out, `"dry_run":true`)
	assert.Contains(t, out, `"rule":"no-debug"`)
}

func TestMiddlewareNilAuthorizerDenies(t *testing.T) {
	h := Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler reached") }))
	w := serve(t, h, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, http.StatusForbidden, w.Code)
}

func TestHTTPRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := HTTPRequest(r)
		_ = json.NewEncoder(w).Encode(map[string]any{"path": req.Path, "method": req.Method, "port": req.Port, "host": req.Host, "tenant": req.Header.Get("X-Tenant")})
	}))
	defer srv.Close()
	r, err := http.NewRequest("PUT", srv.URL+"/a%2Fb/c%41?q=1", nil)
	require.NoError(t, err)
	r.Header.Set("X-Tenant", "t1")
	resp, err := srv.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	var got map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, "/a%2Fb/c%41", got["path"], "path stays in escaped form")
	assert.Equal(t, "PUT", got["method"])
	assert.NotZero(t, got["port"])
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), got["host"])
	assert.Equal(t, "t1", got["tenant"])
}
