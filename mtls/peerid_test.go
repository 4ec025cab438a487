package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/peer"

	"github.com/ztkit/ztkit/internal/peertest"
	"github.com/ztkit/ztkit/mtls"
)

// A server whose TLSConfig was swapped for one that does not verify client
// certificates must not take a certificate's URI SAN for a peer ID.
func TestHTTPServerRefusesUnverifiedPeers(t *testing.T) {
	f := newFixture(t)
	var reached atomic.Bool
	srv := mtls.NewHTTPServer("", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }),
		f.server, mtls.AuthorizeAny())
	serverSVID, _ := f.server.GetX509SVID()
	srv.TLSConfig = &tls.Config{
		MinVersion: tls.VersionTLS13,
		ClientAuth: tls.RequireAnyClientCert,
		Certificates: []tls.Certificate{{
			Certificate: [][]byte{serverSVID.Certificates[0].Raw}, PrivateKey: serverSVID.PrivateKey,
		}},
	}
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close(); <-done })

	// A certificate from a CA nobody trusts, claiming an allowed ID.
	forged, key := newTestCA(t, "example.org").leaf(t, leafSpec{uris: []string{clientID}})
	client := rawHTTPClient(t, rawClientConfig(forged, key))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.False(t, reached.Load(), "the handler must not run for an unverified peer")
}

// A gRPC server with ordinary TLS credentials, even ones that verify client
// certificates against a CA, yields no SPIFFE peer ID: only mtls's
// credentials do.
func TestGRPCPeerIDOnlyFromMTLSCredentials(t *testing.T) {
	f := newFixture(t)
	pool := x509.NewCertPool()
	pool.AddCert(f.ca.cert)
	serverSVID, _ := f.server.GetX509SVID()
	plain := credentials.NewTLS(&tls.Config{
		MinVersion: tls.VersionTLS13,
		ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs:  pool,
		Certificates: []tls.Certificate{{
			Certificate: [][]byte{serverSVID.Certificates[0].Raw}, PrivateKey: serverSVID.PrivateKey,
		}},
	})
	srv := grpc.NewServer(grpc.Creds(plain))
	testgrpc.RegisterTestServiceServer(srv, peertest.Service{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Stop(); <-done })

	client := dialGRPC(t, ln.Addr().String(), mtls.ClientCredentials(f.client, mtls.AuthorizeAny()))
	got, err := grpcUnary(t, client)
	require.NoError(t, err)
	assert.Equal(t, spiffeid.ID{}.String(), got, "a chain verified by plain TLS is no SPIFFE peer ID")
}

func TestGRPCAuthInfoCarriesPeerID(t *testing.T) {
	f := newFixture(t)
	addr, _ := startGRPC(t, f.server, mtls.AuthorizeAny())
	client := dialGRPC(t, addr, mtls.ClientCredentials(f.client, mtls.AuthorizeAny()))
	var p peer.Peer
	_, err := client.UnaryCall(t.Context(), &testgrpc.SimpleRequest{}, grpc.Peer(&p))
	require.NoError(t, err)
	info, ok := p.AuthInfo.(mtls.AuthInfo)
	require.True(t, ok, "got %T", p.AuthInfo)
	assert.Equal(t, serverID, info.PeerID.String())
	assert.Equal(t, "tls", info.AuthType())
	assert.Equal(t, credentials.PrivacyAndIntegrity, info.SecurityLevel)
}
