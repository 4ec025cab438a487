// Package reqctx carries who is calling through a request context, so that
// mtls, jwtauth, authz and logging agree on one place to read it without
// importing each other.
package reqctx

import (
	"context"
	"crypto/x509"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
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

// PeerID returns the authenticated peer's SPIFFE ID: the one recorded with
// WithPeerID, or else the one in a gRPC peer's verified TLS certificate.
func PeerID(ctx context.Context) (spiffeid.ID, bool) {
	if id, ok := ctx.Value(peerIDKey{}).(spiffeid.ID); ok && !id.IsZero() {
		return id, true
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.AuthInfo == nil {
		return spiffeid.ID{}, false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		return spiffeid.ID{}, false
	}
	return IDFromVerifiedChains(info.State.VerifiedChains, info.State.PeerCertificates)
}

// IDFromVerifiedChains returns the SPIFFE ID of a TLS peer whose chain was
// verified. An unverified peer certificate never yields an ID.
func IDFromVerifiedChains(chains [][]*x509.Certificate, peerCerts []*x509.Certificate) (spiffeid.ID, bool) {
	if len(chains) == 0 || len(chains[0]) == 0 || len(peerCerts) == 0 {
		return spiffeid.ID{}, false
	}
	id, err := x509svid.IDFromCert(peerCerts[0])
	if err != nil {
		return spiffeid.ID{}, false
	}
	return id, true
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
