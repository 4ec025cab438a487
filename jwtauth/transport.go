package jwtauth

import (
	"context"
	"fmt"
	"net/http"

	"google.golang.org/grpc/credentials"
)

// TransportOption changes Transport.
type TransportOption func(*transport)

// AllowLoopbackHTTP lets Transport send tokens over plain http to loopback
// hosts, for tests and local development.
func AllowLoopbackHTTP() TransportOption {
	return func(t *transport) { t.allowLoopback = true }
}

// Transport returns a RoundTripper that sets "Authorization: Bearer" from
// ts on each request and sends it with base (nil: http.DefaultTransport).
// It refuses plain http, and it does not attach the token to a redirect
// that leaves the original host.
func Transport(base http.RoundTripper, ts TokenSource, opts ...TransportOption) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{base: base, ts: ts}
	for _, opt := range opts {
		if opt != nil {
			opt(t)
		}
	}
	return t
}

type transport struct {
	base          http.RoundTripper
	ts            TokenSource
	allowLoopback bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameHostAsOrigin(req) {
		return t.base.RoundTrip(req)
	}
	if err := t.check(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	tok, err := t.ts.Token(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", "Bearer "+tok)
	return t.base.RoundTrip(out)
}

func (t *transport) check(req *http.Request) error {
	switch {
	case t.ts == nil:
		return errNoSource
	case req.URL.Scheme == "https":
		return nil
	case req.URL.Scheme == "http" && t.allowLoopback && isLoopback(req.URL.Hostname()):
		return nil
	default:
		return fmt.Errorf("jwtauth: refusing to send a token over %s to %s", req.URL.Scheme, req.URL.Host)
	}
}

// sameHostAsOrigin reports whether req goes to the host of the request that
// started its redirect chain.
func sameHostAsOrigin(req *http.Request) bool {
	origin := req
	for i := 0; i < 32 && origin.Response != nil && origin.Response.Request != nil; i++ {
		origin = origin.Response.Request
	}
	return origin == req || origin.URL.Host == req.URL.Host
}

// PerRPCCredentials attaches a bearer token from ts to each gRPC call. It
// requires transport security, so grpc-go never sends it in plaintext.
func PerRPCCredentials(ts TokenSource) credentials.PerRPCCredentials {
	return perRPC{ts: ts}
}

type perRPC struct{ ts TokenSource }

func (p perRPC) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if p.ts == nil {
		return nil, errNoSource
	}
	if ri, ok := credentials.RequestInfoFromContext(ctx); ok {
		if err := credentials.CheckSecurityLevel(ri.AuthInfo, credentials.PrivacyAndIntegrity); err != nil {
			return nil, fmt.Errorf("jwtauth: refusing to send a token without transport security: %w", err)
		}
	}
	tok, err := p.ts.Token(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

func (perRPC) RequireTransportSecurity() bool { return true }
