package authz

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// docPolicy is the policy of the package documentation; TestDocExamples
// checks its worked examples.
const docPolicy = `
version: 1
rules:
  - name: shop-reads-orders
    action: allow                # allow, deny or audit
    from:
      principals: ["spiffe://example.org/ns/shop/*"]
    to:
      methods: [GET]
      paths: ["/v1/orders", "/v1/orders/{id}"]
  - name: reports-for-analysts
    action: allow
    from:
      requestPrincipals: ["https://login.example.org/*"]
    to:
      grpcMethods: ["/reports.v1.Reports/*"]
    when:
      - claim: scope
        values: ["reports:read"]
      - claim: groups
        notValues: ["suspended"]
  - name: no-admin-from-outside-ops
    action: deny
    from:
      notPrincipals: ["spiffe://example.org/ns/ops/*"]
    to:
      paths: ["/admin/*"]
`

func TestDocExamples(t *testing.T) {
	a := mustAuthorizer(t, docPolicy)
	shop := mustID(t, "spiffe://example.org/ns/shop/web")
	alice := testClaims{"iss": "https://login.example.org", "sub": "alice", "scope": "openid reports:read"}
	suspended := testClaims{"iss": "https://login.example.org", "sub": "alice", "scope": "openid reports:read", "groups": []any{"staff", "suspended"}}
	noScope := testClaims{"iss": "https://login.example.org", "sub": "alice"}
	for _, tc := range []struct {
		req     Request
		allowed bool
		rule    string
	}{
		{Request{PeerID: shop, Method: "GET", Path: "/v1/orders/42"}, true, "shop-reads-orders"},
		{Request{PeerID: shop, Method: "HEAD", Path: "/v1/orders/42"}, true, "shop-reads-orders"},
		{Request{PeerID: shop, Method: "GET", Path: "/v1/orders/42/items"}, false, ""},
		{Request{PeerID: mustID(t, "spiffe://example.org/ns/shopping/web"), Method: "GET", Path: "/v1/orders/42"}, false, ""},
		{Request{Method: "GET", Path: "/admin"}, false, "no-admin-from-outside-ops"},
		{Request{PeerID: mustID(t, "spiffe://example.org/ns/ops/a"), Method: "GET", Path: "/admin/users"}, false, ""},
		{Request{Claims: alice, GRPCMethod: "/reports.v1.Reports/Get"}, true, "reports-for-analysts"},
		{Request{Claims: suspended, GRPCMethod: "/reports.v1.Reports/Get"}, false, ""},
		{Request{Claims: noScope, GRPCMethod: "/reports.v1.Reports/Get"}, false, ""},
	} {
		d := a.Decide(context.Background(), &tc.req)
		assert.Equal(t, tc.allowed, d.Allowed, "%+v", tc.req)
		assert.Equal(t, tc.rule, d.Rule, "%+v", tc.req)
	}
}
