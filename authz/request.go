package authz

import (
	"net/http"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc/metadata"
)

// Claims is what a decision reads from a verified token. *jwtauth.Claims
// implements it; so can claims verified by other means.
type Claims interface {
	Issuer() string
	Subject() string
	// Get returns a claim as decoded from JSON: string, float64, bool,
	// []any, map[string]any or nil.
	Get(name string) (any, bool)
}

// Request is what a decision is made on: who is calling and what they ask
// for. Middleware and the interceptors build it from the request and its
// context (see HTTPRequest and GRPCRequest); tests and other transports
// can fill it in directly. Empty fields are absent: a Request without
// PeerID has no authenticated peer, one without Claims carries no token.
type Request struct {
	// PeerID is the authenticated peer's SPIFFE ID (mTLS).
	PeerID spiffeid.ID
	// Claims are the verified token's claims, or nil.
	Claims Claims

	// Method is the HTTP method, e.g. "GET".
	Method string
	// Path is the HTTP path as sent, in escaped form (url.URL.EscapedPath).
	// It is checked and normalised by NormalizePath before matching.
	Path string
	// Host is the requested host (HTTP Host or gRPC :authority); a port
	// suffix is ignored.
	Host string
	// Port is the local port the request arrived on, or 0.
	Port int
	// Header holds HTTP request headers for when conditions, with
	// canonical keys as net/http provides them.
	Header http.Header

	// GRPCMethod is the gRPC full method, "/package.Service/Method". When
	// it is set the request is a gRPC call and Method and Path are ignored.
	GRPCMethod string
	// Metadata holds gRPC request metadata for when conditions.
	Metadata metadata.MD
}

// Reason says why a Decision came out as it did.
type Reason string

// Reasons a Decision carries.
const (
	// ReasonDenyRule: a deny rule matched.
	ReasonDenyRule Reason = "deny_rule"
	// ReasonAllowRule: no deny rule matched and an allow rule did.
	ReasonAllowRule Reason = "allow_rule"
	// ReasonNoMatch: no allow rule matched, so the default denies.
	ReasonNoMatch Reason = "no_matching_allow_rule"
	// ReasonInvalidRequest: the request was ambiguous or malformed and was
	// not matched at all (HTTP 400).
	ReasonInvalidRequest Reason = "invalid_request"
	// ReasonNoPolicy: there is no authorizer or no policy; nothing is
	// allowed.
	ReasonNoPolicy Reason = "no_policy"
)

// Decision is the outcome of Authorizer.Decide.
type Decision struct {
	// Allowed is the policy's verdict.
	Allowed bool
	// Reason says why.
	Reason Reason
	// Rule names the deny or allow rule that decided; it is empty when
	// the default decided.
	Rule string
	// Audit names the first audit rule, in policy order, that matched.
	Audit string
	// DryRun is set when the authorizer does not enforce its decisions:
	// middleware and interceptors log the verdict and let the request
	// through.
	DryRun bool
	// Err explains ReasonInvalidRequest; it wraps ErrAmbiguousPath for a
	// bad path.
	Err error
}

// Enforced reports whether the caller must reject the request: the verdict
// is deny and the authorizer is not in dry-run mode.
func (d Decision) Enforced() bool { return !d.Allowed && !d.DryRun }
