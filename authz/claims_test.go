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

// *jwtauth.Claims copies array claims in Get; decisions read them through
// GetReadOnly instead, so they stay allocation-free.
var _ readOnlyClaims = (*jwtauth.Claims)(nil)

func TestJWTAuthArrayClaim(t *testing.T) {
	a := mustAuthorizer(t, arrayClaimPolicy)
	allowed := jwtauth.NewClaims(map[string]any{"iss": "i", "sub": "s", "groups": []any{"dev", "ops"}})
	denied := jwtauth.NewClaims(map[string]any{"iss": "i", "sub": "s", "groups": []any{"dev"}})
	assert.True(t, a.Decide(context.Background(), &Request{Claims: allowed, GRPCMethod: "/a.B/C"}).Allowed)
	assert.False(t, a.Decide(context.Background(), &Request{Claims: denied, GRPCMethod: "/a.B/C"}).Allowed)
}

const arrayClaimPolicy = `
version: 1
rules:
  - name: ops
    action: allow
    to: {grpcMethods: ["/a.B/C"]}
    when: [{claim: groups, values: ["ops"]}]
`

func BenchmarkDecideJWTArrayClaim(b *testing.B) {
	a := mustAuthorizer(b, arrayClaimPolicy)
	req := &Request{Claims: jwtauth.NewClaims(map[string]any{"iss": "i", "sub": "s", "groups": []any{"dev", "ops"}}), GRPCMethod: "/a.B/C"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a.Decide(ctx, req)
	}
}
