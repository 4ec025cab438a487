package authz_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/authz"
)

const examplePolicy = `
version: 1
rules:
  - name: shop-reads-orders
    action: allow
    from:
      principals: ["spiffe://example.org/ns/shop/*"]
    to:
      methods: [GET]
      paths: ["/v1/orders/{id}"]
  - name: no-admin
    action: deny
    to:
      paths: ["/admin/*"]
`

func ExampleAuthorizer_Decide() {
	p, err := authz.ParsePolicy([]byte(examplePolicy))
	if err != nil {
		panic(err)
	}
	a, err := authz.New(p)
	if err != nil {
		panic(err)
	}
	shop := spiffeid.RequireFromString("spiffe://example.org/ns/shop/web")
	for _, r := range []authz.Request{
		{PeerID: shop, Method: "GET", Path: "/v1/orders/42"},
		{PeerID: shop, Method: "DELETE", Path: "/v1/orders/42"},
		{PeerID: shop, Method: "GET", Path: "/admin"},
		{PeerID: shop, Method: "GET", Path: "/v1/orders/../../admin"},
	} {
		d := a.Decide(context.Background(), &r)
		fmt.Printf("%s %s: allowed=%v reason=%s rule=%q\n", r.Method, r.Path, d.Allowed, d.Reason, d.Rule)
	}
	// Output:
	// GET /v1/orders/42: allowed=true reason=allow_rule rule="shop-reads-orders"
	// DELETE /v1/orders/42: allowed=false reason=no_matching_allow_rule rule=""
	// GET /admin: allowed=false reason=deny_rule rule="no-admin"
	// GET /v1/orders/../../admin: allowed=false reason=invalid_request rule=""
}

func ExampleMiddleware() {
	p, err := authz.ParsePolicy([]byte(examplePolicy))
	if err != nil {
		panic(err)
	}
	a, err := authz.New(p)
	if err != nil {
		panic(err)
	}
	h := authz.Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	for _, target := range []string{"/v1/orders/42", "/v1/%2e%2e/admin"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Print(target, ": ", w.Code, " ", w.Body.String())
	}
	// Output:
	// /v1/orders/42: 403 forbidden
	// /v1/%2e%2e/admin: 400 bad request
}

func ExampleParsePolicy_error() {
	_, err := authz.ParsePolicy([]byte(`version: 1
rules:
  - name: orders
    action: allow
    to:
      paths: ["/v1/../admin"]
      verbs: [GET]
`))
	fmt.Println(err)
	// Output:
	// authz: invalid policy: line 6: rule "orders": to.paths[0]: "/v1/../admin": ambiguous path: dot segment
	// line 7: rule "orders": to.verbs: unknown field (known: [methods notMethods paths notPaths grpcMethods notGrpcMethods hosts notHosts ports notPorts])
}

func ExampleNormalizePath() {
	for _, raw := range []string{"/v1/ord%65rs", "/admin%2Fusers", "//admin"} {
		p, err := authz.NormalizePath(raw)
		fmt.Printf("%q %v\n", p, err)
	}
	// Output:
	// "/v1/orders" <nil>
	// "" authz: ambiguous request path: encoded / (%2F)
	// "" authz: ambiguous request path: empty path segment (//)
}
