package authz

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/metadata"
)

// semanticsPolicy exercises every field. Rule order matters only for which
// name a decision reports.
const semanticsPolicy = `
version: 1
rules:
  - name: deny-admin
    action: deny
    to:
      paths: ["/admin/*"]
    from:
      notPrincipals: ["spiffe://example.org/ns/ops/*"]
  - name: orders-read
    action: allow
    from:
      principals: ["spiffe://example.org/ns/shop/*"]
    to:
      methods: [GET, HEAD]
      paths: ["/v1/orders", "/v1/orders/{id}"]
  - name: orders-write
    action: allow
    from:
      principals: ["spiffe://example.org/ns/shop/checkout"]
    to:
      methods: [POST]
      paths: ["/v1/orders"]
  - name: admin-ops
    action: allow
    from:
      principals: ["spiffe://example.org/ns/ops/*"]
    to:
      paths: ["/admin/*"]
  - name: static
    action: allow
    to:
      methods: [GET]
      paths: ["*.css", "/public*"]
      notPaths: ["/public/secret*"]
  - name: any-peer-health
    action: allow
    from:
      principals: ["*"]
    to:
      paths: ["/healthz"]
  - name: trust-domain
    action: allow
    from:
      principals: ["spiffe://partner.org"]
    to:
      paths: ["/v1/partner/*"]
      notMethods: [DELETE]
  - name: token-reports
    action: allow
    from:
      requestPrincipals: ["https://issuer.example/*"]
      notRequestPrincipals: ["https://issuer.example/mallory"]
    to:
      paths: ["/v1/reports/*"]
    when:
      - claim: scope
        values: ["reports:read"]
      - claim: groups
        notValues: ["suspended"]
  - name: any-token-profile
    action: allow
    from:
      requestPrincipals: ["*"]
    to:
      paths: ["/v1/profile"]
  - name: tenant-header
    action: allow
    to:
      paths: ["/v1/tenant/*"]
      hosts: ["*.example.com"]
      ports: [8443]
    when:
      - header: X-Tenant
        values: ["t-*"]
        notValues: ["t-blocked"]
  - name: open-not-internal
    action: allow
    to:
      paths: ["/v1/open/*"]
      notHosts: ["*.internal"]
      notPorts: [9090]
  - name: grpc-inventory
    action: allow
    from:
      principals: ["spiffe://example.org/ns/shop/*"]
    to:
      grpcMethods: ["/shop.Inventory/*"]
      notGrpcMethods: ["/shop.Inventory/Delete"]
  - name: grpc-health
    action: allow
    to:
      grpcMethods: ["/grpc.health.v1.Health/Check"]
  - name: audit-orders
    action: audit
    to:
      paths: ["/v1/orders*"]
  - name: deny-banned-claim
    action: deny
    when:
      - claim: banned
        values: ["true"]
  - name: deny-export-reads
    action: deny
    to: {methods: [GET], paths: ["/v1/export"]}
  - name: export
    action: allow
    to: {paths: ["/v1/export"]}
  - name: upload-no-reads
    action: allow
    to: {notMethods: [GET], paths: ["/v1/upload"]}
`

func TestDecideSemantics(t *testing.T) {
	a := mustAuthorizer(t, semanticsPolicy)
	shop := mustID(t, "spiffe://example.org/ns/shop/web")
	checkout := mustID(t, "spiffe://example.org/ns/shop/checkout")
	shopLike := mustID(t, "spiffe://example.org/ns/shopping/web")
	shopNS := mustID(t, "spiffe://example.org/ns/shop")
	ops := mustID(t, "spiffe://example.org/ns/ops/oncall")
	partner := mustID(t, "spiffe://partner.org/any/thing")
	reader := testClaims{"iss": "https://issuer.example", "sub": "alice", "scope": "orders:read reports:read", "groups": []any{"staff"}}
	suspended := testClaims{"iss": "https://issuer.example", "sub": "bob", "scope": "reports:read", "groups": []any{"staff", "suspended"}}
	mallory := testClaims{"iss": "https://issuer.example", "sub": "mallory", "scope": "reports:read"}
	noScope := testClaims{"iss": "https://issuer.example", "sub": "carol"}
	otherIss := testClaims{"iss": "https://other.example", "sub": "alice", "scope": "reports:read"}
	banned := testClaims{"iss": "https://issuer.example", "sub": "eve", "banned": true}

	tests := []struct {
		name    string
		req     Request
		allowed bool
		reason  Reason
		rule    string
		audit   string
	}{
		{"peer prefix, method, exact path", Request{PeerID: shop, Method: "GET", Path: "/v1/orders"}, true, ReasonAllowRule, "orders-read", "audit-orders"},
		{"template path", Request{PeerID: shop, Method: "HEAD", Path: "/v1/orders/42"}, true, ReasonAllowRule, "orders-read", "audit-orders"},
		{"template needs one segment", Request{PeerID: shop, Method: "GET", Path: "/v1/orders/42/items"}, false, ReasonNoMatch, "", "audit-orders"},
		{"method not listed", Request{PeerID: shop, Method: "DELETE", Path: "/v1/orders"}, false, ReasonNoMatch, "", "audit-orders"},
		{"exact principal", Request{PeerID: checkout, Method: "POST", Path: "/v1/orders"}, true, ReasonAllowRule, "orders-write", "audit-orders"},
		{"exact principal mismatch", Request{PeerID: shop, Method: "POST", Path: "/v1/orders"}, false, ReasonNoMatch, "", "audit-orders"},
		{"prefix on segment boundary", Request{PeerID: shopLike, Method: "GET", Path: "/v1/orders"}, false, ReasonNoMatch, "", "audit-orders"},
		{"prefix excludes the parent ID", Request{PeerID: shopNS, Method: "GET", Path: "/v1/orders"}, false, ReasonNoMatch, "", "audit-orders"},
		{"missing identity", Request{Method: "GET", Path: "/v1/orders"}, false, ReasonNoMatch, "", "audit-orders"},
		{"deny over allow", Request{PeerID: shop, Method: "GET", Path: "/admin/users"}, false, ReasonDenyRule, "deny-admin", ""},
		{"deny notPrincipals lets ops through", Request{PeerID: ops, Method: "GET", Path: "/admin/users"}, true, ReasonAllowRule, "admin-ops", ""},
		{"deny notPrincipals matches no identity", Request{Method: "GET", Path: "/admin"}, false, ReasonDenyRule, "deny-admin", ""},
		{"dir prefix covers the bare path", Request{PeerID: shop, Method: "GET", Path: "/admin"}, false, ReasonDenyRule, "deny-admin", ""},
		{"suffix path", Request{Method: "GET", Path: "/a/b/site.css"}, true, ReasonAllowRule, "static", ""},
		{"allow GET covers HEAD", Request{Method: "HEAD", Path: "/a/b/site.css"}, true, ReasonAllowRule, "static", ""},
		{"deny GET covers HEAD", Request{Method: "HEAD", Path: "/v1/export"}, false, ReasonDenyRule, "deny-export-reads", ""},
		{"deny GET leaves POST", Request{Method: "POST", Path: "/v1/export"}, true, ReasonAllowRule, "export", ""},
		{"notMethods GET excludes HEAD", Request{Method: "HEAD", Path: "/v1/upload"}, false, ReasonNoMatch, "", ""},
		{"notMethods GET leaves PUT", Request{Method: "PUT", Path: "/v1/upload"}, true, ReasonAllowRule, "upload-no-reads", ""},
		{"prefix path", Request{Method: "GET", Path: "/publicity"}, true, ReasonAllowRule, "static", ""},
		{"notPaths", Request{Method: "GET", Path: "/public/secret/key"}, false, ReasonNoMatch, "", ""},
		{"any peer", Request{PeerID: partner, Method: "PUT", Path: "/healthz"}, true, ReasonAllowRule, "any-peer-health", ""},
		{"any peer needs a peer", Request{Method: "GET", Path: "/healthz"}, false, ReasonNoMatch, "", ""},
		{"trust domain", Request{PeerID: partner, Method: "GET", Path: "/v1/partner/x"}, true, ReasonAllowRule, "trust-domain", ""},
		{"trust domain notMethods", Request{PeerID: partner, Method: "DELETE", Path: "/v1/partner/x"}, false, ReasonNoMatch, "", ""},
		{"trust domain other td", Request{PeerID: shop, Method: "GET", Path: "/v1/partner/x"}, false, ReasonNoMatch, "", ""},
		{"request principal and scope", Request{Claims: reader, Method: "GET", Path: "/v1/reports/1"}, true, ReasonAllowRule, "token-reports", ""},
		{"claim notValues in array", Request{Claims: suspended, Method: "GET", Path: "/v1/reports/1"}, false, ReasonNoMatch, "", ""},
		{"notRequestPrincipals", Request{Claims: mallory, Method: "GET", Path: "/v1/reports/1"}, false, ReasonNoMatch, "", ""},
		{"claim absent fails values", Request{Claims: noScope, Method: "GET", Path: "/v1/reports/1"}, false, ReasonNoMatch, "", ""},
		{"other issuer", Request{Claims: otherIss, Method: "GET", Path: "/v1/reports/1"}, false, ReasonNoMatch, "", ""},
		{"no token", Request{Method: "GET", Path: "/v1/reports/1"}, false, ReasonNoMatch, "", ""},
		{"any valid token", Request{Claims: noScope, Method: "GET", Path: "/v1/profile"}, true, ReasonAllowRule, "any-token-profile", ""},
		{"any valid token needs a token", Request{PeerID: shop, Method: "GET", Path: "/v1/profile"}, false, ReasonNoMatch, "", ""},
		{"bool claim deny", Request{Claims: banned, Method: "GET", Path: "/v1/profile"}, false, ReasonDenyRule, "deny-banned-claim", ""},
		{"header host port", Request{Method: "GET", Path: "/v1/tenant/a", Host: "API.Example.com:8443", Port: 8443, Header: http.Header{"X-Tenant": {"t-1"}}}, true, ReasonAllowRule, "tenant-header", ""},
		{"header notValues", Request{Method: "GET", Path: "/v1/tenant/a", Host: "api.example.com", Port: 8443, Header: http.Header{"X-Tenant": {"t-blocked"}}}, false, ReasonNoMatch, "", ""},
		{"header absent", Request{Method: "GET", Path: "/v1/tenant/a", Host: "api.example.com", Port: 8443}, false, ReasonNoMatch, "", ""},
		{"wrong port", Request{Method: "GET", Path: "/v1/tenant/a", Host: "api.example.com", Port: 443, Header: http.Header{"X-Tenant": {"t-1"}}}, false, ReasonNoMatch, "", ""},
		{"wrong host", Request{Method: "GET", Path: "/v1/tenant/a", Host: "example.org", Port: 8443, Header: http.Header{"X-Tenant": {"t-1"}}}, false, ReasonNoMatch, "", ""},
		{"notHosts and notPorts pass", Request{Method: "GET", Path: "/v1/open/a", Host: "api.example.com", Port: 8443}, true, ReasonAllowRule, "open-not-internal", ""},
		{"notHosts", Request{Method: "GET", Path: "/v1/open/a", Host: "DB.Internal", Port: 8443}, false, ReasonNoMatch, "", ""},
		{"notPorts", Request{Method: "GET", Path: "/v1/open/a", Host: "api.example.com", Port: 9090}, false, ReasonNoMatch, "", ""},
		{"absent host and port pass not fields", Request{Method: "GET", Path: "/v1/open/a"}, true, ReasonAllowRule, "open-not-internal", ""},
		{"grpc service wildcard", Request{PeerID: shop, GRPCMethod: "/shop.Inventory/List"}, true, ReasonAllowRule, "grpc-inventory", ""},
		{"grpc notGrpcMethods", Request{PeerID: shop, GRPCMethod: "/shop.Inventory/Delete"}, false, ReasonNoMatch, "", ""},
		{"grpc metadata condition absent", Request{GRPCMethod: "/grpc.health.v1.Health/Check", Metadata: metadata.Pairs("x-tenant", "t-1")}, true, ReasonAllowRule, "grpc-health", ""},
		{"grpc does not match HTTP paths", Request{PeerID: shop, GRPCMethod: "/v1/orders"}, false, ReasonNoMatch, "", ""},
		{"HTTP does not match gRPC methods", Request{PeerID: shop, Method: "POST", Path: "/shop.Inventory/List"}, false, ReasonNoMatch, "", ""},
		{"malformed gRPC method", Request{PeerID: shop, GRPCMethod: "shop.Inventory/List"}, false, ReasonInvalidRequest, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := a.Decide(context.Background(), &tc.req)
			assert.Equal(t, tc.allowed, d.Allowed, "allowed")
			assert.Equal(t, tc.reason, d.Reason, "reason")
			assert.Equal(t, tc.rule, d.Rule, "rule")
			assert.Equal(t, tc.audit, d.Audit, "audit")
			assert.False(t, d.DryRun)
			assert.Equal(t, d.Allowed, !d.Enforced())
			want := refDecide(a.Policy(), &tc.req)
			assert.Equal(t, want, refOf(d), "reference evaluator disagrees")
		})
	}
}

func TestEmptyPolicyAllowsNothing(t *testing.T) {
	for _, src := range []string{"version: 1", "version: 1\nrules: []", `{"version": 1, "rules": []}`} {
		a := mustAuthorizer(t, src)
		for _, r := range []Request{
			{Method: "GET", Path: "/"},
			{PeerID: mustID(t, "spiffe://example.org/x"), Claims: testClaims{"iss": "i", "sub": "s"}, Method: "GET", Path: "/x"},
			{GRPCMethod: "/a.B/C"},
		} {
			d := a.Decide(context.Background(), &r)
			assert.False(t, d.Allowed, src)
			assert.Equal(t, ReasonNoMatch, d.Reason)
			assert.True(t, d.Enforced())
		}
	}
}

func TestNoPolicyDenies(t *testing.T) {
	_, err := New(nil)
	require.ErrorIs(t, err, ErrNoPolicy)
	var a *Authorizer
	d := a.Decide(context.Background(), &Request{Method: "GET", Path: "/"})
	assert.False(t, d.Allowed)
	assert.Equal(t, ReasonNoPolicy, d.Reason)
	assert.ErrorIs(t, a.Swap(mustPolicy(t, "version: 1")), ErrNoPolicy)

	b := mustAuthorizer(t, "version: 1")
	d = b.Decide(context.Background(), nil)
	assert.False(t, d.Allowed)
	assert.Equal(t, ReasonInvalidRequest, d.Reason)
}

func TestClaimValueTypes(t *testing.T) {
	a := mustAuthorizer(t, `
version: 1
rules:
  - name: typed
    action: allow
    when:
      - claim: level
        values: [3]
      - claim: verified
        values: [true]
      - claim: aud
        values: ["api"]
      - claim: scp
        values: ["write"]
      - claim: org
        values: ["acme-*"]
`)
	base := testClaims{"iss": "i", "sub": "s", "level": float64(3), "verified": true, "aud": []any{"web", "api"}, "scp": []any{"read", "write"}, "org": "acme-eu"}
	ok := a.Decide(context.Background(), &Request{Claims: base, Method: "GET", Path: "/"})
	assert.True(t, ok.Allowed, "all conditions hold")

	for key, bad := range map[string]any{
		"level": float64(4), "verified": false, "aud": "web", "scp": []any{"read"}, "org": "acmeeu",
	} {
		c := testClaims{}
		for k, v := range base {
			c[k] = v
		}
		c[key] = bad
		d := a.Decide(context.Background(), &Request{Claims: c, Method: "GET", Path: "/"})
		assert.False(t, d.Allowed, key)
		delete(c, key)
		d = a.Decide(context.Background(), &Request{Claims: c, Method: "GET", Path: "/"})
		assert.False(t, d.Allowed, "absent "+key)
	}
}

func TestDryRunReportsVerdict(t *testing.T) {
	a := mustAuthorizer(t, "version: 1", WithDryRun())
	d := a.Decide(context.Background(), &Request{Method: "GET", Path: "/x"})
	assert.False(t, d.Allowed)
	assert.True(t, d.DryRun)
	assert.False(t, d.Enforced())
}
