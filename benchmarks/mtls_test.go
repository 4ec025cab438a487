package benchmarks

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"testing"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
)

var (
	benchServerID = spiffeid.RequireFromString("spiffe://example.org/server")
	benchClientID = spiffeid.RequireFromString("spiffe://example.org/client")
)

// svidPair is a server and a client SVID from one dev agent, and the bundle
// that verifies both: the same keys for both sides of every comparison.
type svidPair struct {
	server, client *x509svid.SVID
	bundle         *x509bundle.Bundle
}

func newSVIDPair(tb testing.TB) svidPair {
	tb.Helper()
	agent, err := devagent.Start(tb.Context(), devagent.Config{})
	require.NoError(tb, err)
	defer agent.Close()
	fetch := func(id spiffeid.ID) *x509svid.SVID {
		addr, err := agent.Socket(id)
		require.NoError(tb, err)
		src, err := mtls.NewWorkloadAPISource(tb.Context(), mtls.WithAddr(addr))
		require.NoError(tb, err)
		defer src.Close()
		svid, err := src.GetX509SVID()
		require.NoError(tb, err)
		return svid
	}
	return svidPair{server: fetch(benchServerID), client: fetch(benchClientID), bundle: agent.X509Bundle()}
}

type fixedSource struct {
	svid   *x509svid.SVID
	bundle *x509bundle.Bundle
}

func (s fixedSource) GetX509SVID() (*x509svid.SVID, error) { return s.svid, nil }
func (s fixedSource) GetX509BundleForTrustDomain(spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	return s.bundle, nil
}

func (p svidPair) ztkitConfigs() (server, client *tls.Config) {
	server = mtls.ServerTLSConfig(fixedSource{p.server, p.bundle}, mtls.AuthorizeID(benchClientID))
	client = mtls.ClientTLSConfig(fixedSource{p.client, p.bundle}, mtls.AuthorizeID(benchServerID))
	return server, client
}

// plainConfigs is what a careful user writes with crypto/tls alone: TLS 1.3,
// client certificates verified against the CA, the server's chain verified
// against the CA (SVIDs carry no DNS name, so without hostname checks), no
// session resumption.
func (p svidPair) plainConfigs() (server, client *tls.Config) {
	pool := x509.NewCertPool()
	for _, ca := range p.bundle.X509Authorities() {
		pool.AddCert(ca)
	}
	certOf := func(s *x509svid.SVID) tls.Certificate {
		return tls.Certificate{Certificate: [][]byte{s.Certificates[0].Raw}, PrivateKey: s.PrivateKey, Leaf: s.Certificates[0]}
	}
	server = &tls.Config{
		MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{certOf(p.server)},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, SessionTicketsDisabled: true,
	}
	client = &tls.Config{
		MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{certOf(p.client)},
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			return err
		},
	}
	return server, client
}

// handshake runs one full mutual handshake over an in-memory connection and
// returns the server's SPIFFE ID as the client saw it.
func handshake(server, client *tls.Config) (string, error) {
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	srv := tls.Server(c2, server)
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	cli := tls.Client(c1, client)
	if err := cli.Handshake(); err != nil {
		<-errc
		return "", err
	}
	if err := <-errc; err != nil {
		return "", err
	}
	id, err := x509svid.IDFromCert(cli.ConnectionState().PeerCertificates[0])
	if err != nil {
		return "", fmt.Errorf("server certificate: %w", err)
	}
	return id.String(), nil
}

func TestMTLSHandshakePairsAgree(t *testing.T) {
	p := newSVIDPair(t)
	zs, zc := p.ztkitConfigs()
	ps, pc := p.plainConfigs()
	got, err := handshake(zs, zc)
	require.NoError(t, err)
	want, err := handshake(ps, pc)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, benchServerID.String(), got)
}

func BenchmarkMTLSHandshake(b *testing.B) {
	p := newSVIDPair(b)
	for _, side := range []struct {
		name    string
		configs func() (*tls.Config, *tls.Config)
	}{
		{"crypto_tls", p.plainConfigs},
		{"ztkit_mtls", p.ztkitConfigs},
	} {
		b.Run(side.name, func(b *testing.B) {
			server, client := side.configs()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := handshake(server, client); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
