package mtls_test

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/credentials"

	"github.com/ztkit/ztkit/mtls"
)

const (
	serverID = "spiffe://example.org/server"
	clientID = "spiffe://example.org/client"
)

// pkiFixture is a trust domain with a server, an allowed client, and the
// certificates that must be refused.
type pkiFixture struct {
	ca, otherCA *testCA
	server      staticSource
	client      staticSource
}

func newFixture(t *testing.T) pkiFixture {
	ca := newTestCA(t, "example.org")
	return pkiFixture{
		ca:      ca,
		otherCA: newTestCA(t, "other.org"),
		server:  newStaticSource(ca.svid(t, serverID), ca.bundle()),
		client:  newStaticSource(ca.svid(t, clientID), ca.bundle()),
	}
}

// refusal is a client the server must turn away, and the reason its error
// must name.
type refusal struct {
	name   string
	cert   func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer)
	tls12  bool
	reason []string
}

var refusals = []refusal{
	{
		name: "wrong SPIFFE ID",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			return f.ca.leaf(t, leafSpec{uris: []string{"spiffe://example.org/intruder"}})
		},
		reason: []string{"spiffe://example.org/intruder is not one of [spiffe://example.org/client]"},
	},
	{
		name: "other trust domain",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			return f.otherCA.leaf(t, leafSpec{uris: []string{"spiffe://other.org/client"}})
		},
		reason: []string{`no X.509 bundle found for trust domain: "other.org"`, "other.org"},
	},
	{
		name:   "no client certificate",
		cert:   func(*testing.T, pkiFixture) (*x509.Certificate, crypto.Signer) { return nil, nil },
		reason: []string{"client didn't provide a certificate"},
	},
	{
		name: "expired SVID",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			return f.ca.leaf(t, leafSpec{
				uris:      []string{clientID},
				notBefore: time.Now().Add(-2 * time.Hour),
				notAfter:  time.Now().Add(-time.Hour),
			})
		},
		reason: []string{"expired"},
	},
	{
		name: "plain X.509 certificate from another CA",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			plain := newTestCA(t, "example.org")
			return plain.leaf(t, leafSpec{})
		},
		reason: []string{"no URI SAN"},
	},
	{
		name: "two URI SANs",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			return f.ca.leaf(t, leafSpec{uris: []string{clientID, "spiffe://example.org/admin"}})
		},
		reason: []string{"more than one URI SAN"},
	},
	{
		name: "TLS 1.2 only client",
		cert: func(t *testing.T, f pkiFixture) (*x509.Certificate, crypto.Signer) {
			return f.ca.leaf(t, leafSpec{uris: []string{clientID}})
		},
		tls12:  true,
		reason: []string{"unsupported versions", "protocol version"},
	},
}

func (r refusal) clientConfig(t *testing.T, f pkiFixture) *tls.Config {
	cert, key := r.cert(t, f)
	cfg := rawClientConfig(cert, key)
	if r.tls12 {
		cfg.MaxVersion = tls.VersionTLS12
	}
	return cfg
}

func TestHTTPAllowedPeer(t *testing.T) {
	f := newFixture(t)
	url, _ := startHTTP(t, f.server, mtls.AuthorizeID(spiffeid.RequireFromString(clientID)))
	client := mtls.NewHTTPClient(f.client, mtls.AuthorizeID(spiffeid.RequireFromString(serverID)))
	t.Cleanup(client.CloseIdleConnections)

	got, err := httpGet(t, client, url)
	require.NoError(t, err)
	assert.Equal(t, clientID, got)
}

func TestHTTPRefusals(t *testing.T) {
	f := newFixture(t)
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			url, serverErrs := startHTTP(t, f.server, mtls.AuthorizeID(spiffeid.RequireFromString(clientID)))
			_, err := httpGet(t, rawHTTPClient(t, r.clientConfig(t, f)), url)
			require.Error(t, err)
			logged := serverErrs.next(t)
			assert.True(t, containsAny(logged, r.reason...), "server error %q names none of %q", logged, r.reason)
		})
	}
}

func TestGRPCAllowedPeerUnaryAndStream(t *testing.T) {
	f := newFixture(t)
	addr, _ := startGRPC(t, f.server, mtls.AuthorizeID(spiffeid.RequireFromString(clientID)))
	client := dialGRPC(t, addr, mtls.ClientCredentials(f.client, mtls.AuthorizeID(spiffeid.RequireFromString(serverID))))

	got, err := grpcUnary(t, client)
	require.NoError(t, err)
	assert.Equal(t, clientID, got)

	got, err = grpcStream(t, client)
	require.NoError(t, err)
	assert.Equal(t, clientID, got)
}

func TestGRPCRefusals(t *testing.T) {
	f := newFixture(t)
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			addr, serverErrs := startGRPC(t, f.server, mtls.AuthorizeID(spiffeid.RequireFromString(clientID)))
			client := dialGRPC(t, addr, credentials.NewTLS(r.clientConfig(t, f)))
			_, err := grpcUnary(t, client)
			require.Error(t, err)
			logged := serverErrs.next(t)
			assert.True(t, containsAny(logged, r.reason...), "server error %q names none of %q", logged, r.reason)
		})
	}
}

func TestClientRefusesWrongServer(t *testing.T) {
	f := newFixture(t)
	impostor := newStaticSource(f.ca.svid(t, "spiffe://example.org/impostor"), f.ca.bundle())
	want := mtls.AuthorizeID(spiffeid.RequireFromString(serverID))

	t.Run("HTTP", func(t *testing.T) {
		url, _ := startHTTP(t, impostor, mtls.AuthorizeAny())
		client := mtls.NewHTTPClient(f.client, want)
		t.Cleanup(client.CloseIdleConnections)
		_, err := httpGet(t, client, url)
		require.Error(t, err)
		assert.ErrorIs(t, err, mtls.ErrNotAuthorized)
		assert.Contains(t, err.Error(), "spiffe://example.org/impostor is not one of [spiffe://example.org/server]")
	})
	t.Run("gRPC", func(t *testing.T) {
		addr, _ := startGRPC(t, impostor, mtls.AuthorizeAny())
		client := dialGRPC(t, addr, mtls.ClientCredentials(f.client, want))
		_, err := grpcUnary(t, client)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "spiffe://example.org/impostor is not one of [spiffe://example.org/server]")
	})
}

func TestNilAuthorizerRefusesEveryone(t *testing.T) {
	f := newFixture(t)
	url, serverErrs := startHTTP(t, f.server, nil)
	client := mtls.NewHTTPClient(f.client, mtls.AuthorizeAny())
	t.Cleanup(client.CloseIdleConnections)
	_, err := httpGet(t, client, url)
	require.Error(t, err)
	assert.Contains(t, serverErrs.next(t), "no authorizer configured")
}

func TestConfigsRequireTLS13(t *testing.T) {
	f := newFixture(t)
	server := mtls.ServerTLSConfig(f.server, mtls.AuthorizeAny())
	client := mtls.ClientTLSConfig(f.client, mtls.AuthorizeAny())
	assert.Equal(t, uint16(tls.VersionTLS13), server.MinVersion)
	assert.Equal(t, uint16(tls.VersionTLS13), client.MinVersion)
	assert.Equal(t, tls.RequireAnyClientCert, server.ClientAuth)
	assert.True(t, server.SessionTicketsDisabled)
}

func TestHTTPClientRefusesPlaintext(t *testing.T) {
	f := newFixture(t)
	client := mtls.NewHTTPClient(f.client, mtls.AuthorizeAny())
	_, err := client.Get("http://127.0.0.1:1/") //nolint:noctx // fails before dialling
	require.Error(t, err)
	assert.ErrorIs(t, err, mtls.ErrPlaintext)
}

func TestHTTPServerRefusesPlaintextServe(t *testing.T) {
	f := newFixture(t)
	srv := mtls.NewHTTPServer("", peerHandler, f.server, mtls.AuthorizeAny())
	rec := newRecorder()
	req := newPlainRequest(t)
	srv.Handler.ServeHTTP(rec, req)
	assert.Equal(t, 400, rec.Code)
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.Positive(t, srv.IdleTimeout)
}
