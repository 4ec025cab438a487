package authz

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// benchPolicy builds n allow rules. shared puts every rule on one
// operation with its own principal; otherwise every rule has its own
// operation and one common principal.
func benchPolicy(n int, shared, isHTTP bool) string {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	for i := 0; i < n; i++ {
		op := fmt.Sprintf("/pkg.Service%d/Method", i)
		peer := "spiffe://example.org/ns/default/sa/client"
		if shared {
			op = "/pkg.Service/Method"
			peer = fmt.Sprintf("spiffe://example.org/ns/default/sa/client%d", i)
		}
		field := "grpcMethods"
		if isHTTP {
			field, op = "paths", "/v1"+strings.ReplaceAll(op, ".", "/")
		}
		fmt.Fprintf(&b, "  - name: r%d\n    action: allow\n    from: {principals: [%q]}\n    to: {%s: [%q]}\n", i, peer, field, op)
	}
	return b.String()
}

func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		for _, sc := range []string{"distinct", "shared", "nomatch"} {
			for _, kind := range []string{"grpc", "http"} {
				b.Run(fmt.Sprintf("%s/%s/rules=%d", kind, sc, n), func(b *testing.B) {
					isHTTP := kind == "http"
					a := mustAuthorizer(b, benchPolicy(n, sc == "shared", isHTTP))
					peer := "spiffe://example.org/ns/default/sa/client"
					op := fmt.Sprintf("/pkg.Service%d/Method", n-1)
					switch sc {
					case "shared":
						peer = fmt.Sprintf("spiffe://example.org/ns/default/sa/client%d", n-1)
						op = "/pkg.Service/Method"
					case "nomatch":
						op = "/pkg.Other/Method"
					}
					r := Request{PeerID: spiffeid.RequireFromString(peer), GRPCMethod: op}
					if isHTTP {
						r = Request{PeerID: r.PeerID, Method: "GET", Path: "/v1" + strings.ReplaceAll(op, ".", "/")}
					}
					want := sc != "nomatch"
					ctx := context.Background()
					if d := a.Decide(ctx, &r); d.Allowed != want {
						b.Fatalf("decision %+v, want allowed=%v", d, want)
					}
					b.ReportAllocs()
					for b.Loop() {
						a.Decide(ctx, &r)
					}
				})
			}
		}
	}
}

// BenchmarkDecideRich decides requests that use every kind of field:
// templates, token principals, claim and header conditions, hosts, ports
// and escaped paths.
func BenchmarkDecideRich(b *testing.B) {
	a := mustAuthorizer(b, semanticsPolicy)
	shop := spiffeid.RequireFromString("spiffe://example.org/ns/shop/web")
	reader := testClaims{"iss": "https://issuer.example", "sub": "alice", "scope": "orders:read reports:read", "groups": []any{"staff"}}
	reqs := map[string]Request{
		"template": {PeerID: shop, Method: "HEAD", Path: "/v1/orders/42"},
		"claims":   {Claims: reader, Method: "GET", Path: "/v1/reports/1"},
		"header":   {Method: "GET", Path: "/v1/tenant/a", Host: "api.example.com:8443", Port: 8443, Header: http.Header{"X-Tenant": {"t-1"}}},
		"escaped":  {PeerID: shop, Method: "GET", Path: "/v1/ord%65rs/42"},
		"grpc":     {PeerID: shop, GRPCMethod: "/shop.Inventory/List"},
	}
	for name, r := range reqs {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			if d := a.Decide(ctx, &r); !d.Allowed {
				b.Fatalf("%s: %+v", name, d)
			}
			b.ReportAllocs()
			for b.Loop() {
				a.Decide(ctx, &r)
			}
		})
	}
}
