package mtls

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// NewHTTPServer returns an *http.Server for h that accepts only mutual TLS
// connections from peers a allows, with ReadHeaderTimeout and IdleTimeout
// set so that slow or idle clients cannot hold connections forever. Serve it
// with ListenAndServeTLS("", "") or ServeTLS(ln, "", ""); the certificates
// come from src. It is an ordinary *http.Server: change its fields as needed.
//
// A request that did not arrive over mutual TLS (for instance through a
// mistaken ListenAndServe) is refused with 400, never served. The peer's
// SPIFFE ID is in each request's context for PeerIDFromRequest and
// PeerIDFromContext.
func NewHTTPServer(addr string, h http.Handler, src Source, a Authorizer) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           requirePeer(h),
		TLSConfig:         ServerTLSConfig(src, a),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func requirePeer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, "mutual TLS required", http.StatusBadRequest)
			return
		}
		// The handshake ran ServerTLSConfig's verification, so the leaf is a
		// verified, authorised SVID.
		id, err := x509svid.IDFromCert(r.TLS.PeerCertificates[0])
		if err != nil {
			http.Error(w, "mutual TLS required", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r.WithContext(reqctx.WithPeerID(r.Context(), id)))
	})
}

// PeerIDFromRequest returns the SPIFFE ID of the peer that sent r, for
// requests served by NewHTTPServer (or any server whose handshake verified
// the client's chain).
func PeerIDFromRequest(r *http.Request) (spiffeid.ID, bool) {
	if id, ok := reqctx.PeerID(r.Context()); ok {
		return id, true
	}
	if r.TLS == nil {
		return spiffeid.ID{}, false
	}
	return reqctx.IDFromVerifiedChains(r.TLS.VerifiedChains, r.TLS.PeerCertificates)
}

// PeerIDFromContext returns the authenticated peer's SPIFFE ID from a
// request context: an HTTP request served by NewHTTPServer, or a gRPC call
// on a server using ServerCredentials (unary and stream alike).
func PeerIDFromContext(ctx context.Context) (spiffeid.ID, bool) {
	return reqctx.PeerID(ctx)
}

// NewHTTPClient returns an *http.Client that dials with the source's SVID,
// accepts only servers a allows, reuses connections (HTTP/2 where the server
// offers it) and refuses plain http:// URLs. It ignores proxy environment
// variables: service-to-service calls go direct.
func NewHTTPClient(src Source, a Authorizer) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       ClientTLSConfig(src, a),
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: httpsOnly{t}}
}

// httpsOnly refuses requests that would leave without TLS.
type httpsOnly struct{ t *http.Transport }

func (h httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s://%s is not https; mtls clients only speak mutual TLS", ErrPlaintext, r.URL.Scheme, r.URL.Host)
	}
	return h.t.RoundTrip(r)
}

// CloseIdleConnections closes the transport's idle connections; http.Client
// calls it from its own CloseIdleConnections.
func (h httpsOnly) CloseIdleConnections() { h.t.CloseIdleConnections() }
