package mtls

import (
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// Source delivers the workload's own X.509-SVID and the bundles that peers'
// SVIDs are verified against. go-spiffe's workloadapi.X509Source fits, as do
// WorkloadAPISource and FileSource.
type Source interface {
	x509svid.Source
	x509bundle.Source
}

// ServerTLSConfig returns a TLS 1.3 server configuration that presents the
// source's current SVID at every handshake, requires a client SVID, verifies
// it against the source's bundles and lets a decide whether that peer may
// connect. A nil a refuses every peer.
//
// Session tickets are disabled so that every connection runs the full
// verification against the current bundle and authorizer.
func ServerTLSConfig(src Source, a Authorizer) *tls.Config {
	return &tls.Config{
		MinVersion:             tls.VersionTLS13,
		ClientAuth:             tls.RequireAnyClientCert,
		GetCertificate:         newCertCache(src).serverCert,
		VerifyConnection:       verifyPeer(src, a),
		SessionTicketsDisabled: true,
	}
}

// ClientTLSConfig returns a TLS 1.3 client configuration that presents the
// source's current SVID, verifies the server's SVID against the source's
// bundles instead of DNS names, and lets a decide whether that server is the
// one to talk to. A nil a refuses every server.
func ClientTLSConfig(src Source, a Authorizer) *tls.Config {
	return &tls.Config{
		MinVersion:           tls.VersionTLS13,
		GetClientCertificate: newCertCache(src).clientCert,
		// Hostname verification does not apply to SPIFFE IDs;
		// VerifyConnection does the whole verification instead.
		InsecureSkipVerify: true, //nolint:gosec // replaced by verifyPeer
		VerifyConnection:   verifyPeer(src, a),
	}
}

// verifyPeer verifies the peer's chain against the bundle for its trust
// domain and then asks the authorizer. It runs as VerifyConnection so that
// it works on the certificates crypto/tls already parsed.
func verifyPeer(bundles x509bundle.Source, a Authorizer) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return fmt.Errorf("%w: the peer presented no certificate", ErrBadPeerCertificate)
		}
		id, chains, err := x509svid.Verify(cs.PeerCertificates, bundles)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadPeerCertificate, err)
		}
		if a == nil {
			return fmt.Errorf("%w: %s: no authorizer configured (use AuthorizeID, AuthorizeTrustDomain, AuthorizeIDPrefix or AuthorizeAny)", ErrNotAuthorized, id)
		}
		if err := a(id, chains); err != nil {
			if errors.Is(err, ErrNotAuthorized) {
				return err
			}
			return fmt.Errorf("%w: %s: %w", ErrNotAuthorized, id, err)
		}
		return nil
	}
}

// certCache turns the source's current SVID into a tls.Certificate once per
// SVID rather than once per handshake.
type certCache struct {
	src  x509svid.Source
	last atomic.Pointer[cachedCert]
}

type cachedCert struct {
	svid *x509svid.SVID
	cert *tls.Certificate
}

func newCertCache(src x509svid.Source) *certCache { return &certCache{src: src} }

func (c *certCache) serverCert(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.get() }

func (c *certCache) clientCert(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return c.get()
}

func (c *certCache) get() (*tls.Certificate, error) {
	svid, err := c.src.GetX509SVID()
	if err != nil {
		return nil, fmt.Errorf("mtls: no SVID to present: %w", err)
	}
	if last := c.last.Load(); last != nil && last.svid == svid {
		return last.cert, nil
	}
	cert := &tls.Certificate{
		Certificate: make([][]byte, 0, len(svid.Certificates)),
		PrivateKey:  svid.PrivateKey,
		Leaf:        svid.Certificates[0],
	}
	for _, c := range svid.Certificates {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	c.last.Store(&cachedCert{svid: svid, cert: cert})
	return cert, nil
}
