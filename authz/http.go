package authz

import (
	"net"
	"net/http"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// Middleware enforces a's decisions on HTTP requests: a denied request gets
// 403 and an ambiguous path 400, each with a short body that reveals
// nothing of the policy. In dry-run mode every request reaches next. A nil
// a denies everything.
func Middleware(a *Authorizer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req := HTTPRequest(r)
			d := a.Decide(r.Context(), &req)
			switch {
			case !d.Enforced():
				next.ServeHTTP(w, r)
			case d.Reason == ReasonInvalidRequest:
				http.Error(w, "bad request", http.StatusBadRequest)
			default:
				http.Error(w, "forbidden", http.StatusForbidden)
			}
		})
	}
}

// HTTPRequest builds the Request for r: the peer SPIFFE ID recorded in the
// context (or else taken from r's verified client certificate), the
// verified claims in the context, and r's method, escaped path, host,
// local port and headers.
func HTTPRequest(r *http.Request) Request {
	ctx := r.Context()
	req := Request{
		Method: r.Method,
		Host:   r.Host,
		Header: r.Header,
	}
	if r.URL != nil {
		req.Path = r.URL.EscapedPath()
	}
	// Only a peer that mtls verified has an ID; see mtls.PeerIDFromRequest.
	if id, ok := reqctx.PeerID(ctx); ok {
		req.PeerID = id
	}
	req.Claims = claimsFrom(ctx)
	if addr, ok := ctx.Value(http.LocalAddrContextKey).(net.Addr); ok {
		req.Port = portOf(addr)
	}
	return req
}

func portOf(addr net.Addr) int {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}
