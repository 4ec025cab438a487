package authz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ztkit/ztkit/internal/reqctx"
	"github.com/ztkit/ztkit/jwtauth"
)

// *jwtauth.Claims is what the jwtauth middleware records; it must serve as
// Claims.
var _ Claims = (*jwtauth.Claims)(nil)

func TestJWTAuthClaims(t *testing.T) {
	a := mustAuthorizer(t, `
version: 1
rules:
  - name: writers
    action: allow
    from:
      requestPrincipals: ["https://issuer.example/*"]
    to:
      paths: ["/v1/docs/*"]
    when:
      - claim: scope
        values: ["docs:write"]
      - claim: aud
        values: ["docs-api"]
`)
	h := Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for _, tc := range []struct {
		claims map[string]any
		code   int
	}{
		{map[string]any{"iss": "https://issuer.example", "sub": "alice", "aud": "docs-api", "scope": "docs:read docs:write"}, http.StatusNoContent},
		{map[string]any{"iss": "https://issuer.example", "sub": "alice", "aud": []any{"x", "docs-api"}, "scope": "docs:write"}, http.StatusNoContent},
		{map[string]any{"iss": "https://issuer.example", "sub": "alice", "aud": "docs-api", "scope": "docs:read"}, http.StatusForbidden},
		{map[string]any{"iss": "https://issuer.example", "sub": "alice", "aud": "other", "scope": "docs:write"}, http.StatusForbidden},
		{map[string]any{"iss": "https://other.example", "sub": "alice", "aud": "docs-api", "scope": "docs:write"}, http.StatusForbidden},
	} {
		c := jwtauth.NewClaims(tc.claims)
		ctx := reqctx.WithPrincipal(context.Background(), c)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("PUT", "/v1/docs/1", nil).WithContext(ctx))
		assert.Equal(t, tc.code, w.Code, "%v", tc.claims)
		if w.Code == http.StatusNoContent {
			assert.True(t, c.HasScope("docs:write"), "allowed only with the scope jwtauth reports")
		}
	}
}
