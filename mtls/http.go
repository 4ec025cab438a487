package mtls

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// NewHTTPServer returns an *http.Server for h that accepts only mutual TLS
// connections from peers a allows, with ReadHeaderTimeout and IdleTimeout
// set so that slow or idle clients cannot hold connections forever. Serve it
// with ListenAndServeTLS("", "") or ServeTLS(ln, "", ""); the certificates
// come from src.
//
// The server records, per connection, the SPIFFE ID its handshake verified,
// and puts it in each request's context for PeerIDFromRequest and
// PeerIDFromContext. A request on a connection without such a record (a
// mistaken ListenAndServe, or a TLSConfig replaced after NewHTTPServer) is
// refused with 400, never served. Other fields of the returned server may
// be changed; TLSConfig, ConnContext and ConnState belong to mtls.
func NewHTTPServer(addr string, h http.Handler, src Source, a Authorizer) *http.Server {
	srv := &http.Server{
		Addr:              addr,
		Handler:           requirePeer(h),
		TLSConfig:         ServerTLSConfig(src, a),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	(&verifiedPeers{}).install(srv)
	return srv
}

func requirePeer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := verifiedPeer(r.Context())
		if !ok || r.TLS == nil {
			http.Error(w, "mutual TLS required", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r.WithContext(reqctx.WithPeerID(r.Context(), id)))
	})
}

// PeerIDFromRequest returns the SPIFFE ID of the peer that sent r, for
// requests served by NewHTTPServer. A server built on ServerTLSConfig alone
// still admits only authorised peers, but cannot attribute a request to one.
func PeerIDFromRequest(r *http.Request) (spiffeid.ID, bool) {
	return reqctx.PeerID(r.Context())
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
