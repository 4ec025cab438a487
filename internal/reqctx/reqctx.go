// Package reqctx carries who is calling through a request context, so that
// mtls, jwtauth, authz and logging agree on one place to read it without
// importing each other.
package reqctx

import (
	"context"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

type peerIDKey struct{}

type principalKey struct{}

// Principal is the verified token subject as the packages that do not import
// jwtauth see it. *jwtauth.Claims implements it.
type Principal interface {
	Issuer() string
	Subject() string
}

// WithPeerID returns a copy of ctx that carries the authenticated peer's
// SPIFFE ID.
func WithPeerID(ctx context.Context, id spiffeid.ID) context.Context {
	return context.WithValue(ctx, peerIDKey{}, id)
}

// AuthInfo is the gRPC AuthInfo of a connection whose peer mtls verified
// as a SPIFFE X.509-SVID and authorised. It embeds credentials.TLSInfo, so
// the TLS state and security level stay available.
type AuthInfo struct {
	credentials.TLSInfo
	// PeerID is the peer's verified SPIFFE ID.
	PeerID spiffeid.ID
}

// PeerID returns the authenticated peer's SPIFFE ID: the one recorded with
// WithPeerID, or else the one mtls recorded for a gRPC connection. A TLS
// peer that some other configuration verified yields no SPIFFE ID.
func PeerID(ctx context.Context) (spiffeid.ID, bool) {
	if id, ok := ctx.Value(peerIDKey{}).(spiffeid.ID); ok && !id.IsZero() {
		return id, true
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.AuthInfo == nil {
		return spiffeid.ID{}, false
	}
	info, ok := p.AuthInfo.(AuthInfo)
	if !ok || info.PeerID.IsZero() {
		return spiffeid.ID{}, false
	}
	return info.PeerID, true
}

// WithPrincipal returns a copy of ctx that carries the verified token's
// principal.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the verified token's principal, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok && p != nil
}

type requestIDKey struct{}

// WithRequestID returns a copy of ctx that carries the request's x-request-id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request's x-request-id, if one was recorded.
func RequestID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestIDKey{}).(string)
	return id, ok && id != ""
}
