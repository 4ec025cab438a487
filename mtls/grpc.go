package mtls

import (
	"context"
	"crypto/x509"
	"net"

	"google.golang.org/grpc/credentials"
)

// ServerCredentials returns gRPC transport credentials for a server that
// requires mutual TLS from peers a allows (ServerTLSConfig's rules). Use it
// as grpc.NewServer(grpc.Creds(mtls.ServerCredentials(src, a))).
func ServerCredentials(src Source, a Authorizer) credentials.TransportCredentials {
	return &spiffeCreds{TransportCredentials: credentials.NewTLS(ServerTLSConfig(src, a))}
}

// ClientCredentials returns gRPC transport credentials for a client that
// presents the source's SVID and accepts only servers a allows. Use it as
// grpc.NewClient(target, grpc.WithTransportCredentials(mtls.ClientCredentials(src, a))).
func ClientCredentials(src Source, a Authorizer) credentials.TransportCredentials {
	return &spiffeCreds{TransportCredentials: credentials.NewTLS(ClientTLSConfig(src, a))}
}

// spiffeCreds records the SPIFFE verification in the handshake result.
// crypto/tls leaves VerifiedChains empty when verification is done by
// callback, as SPIFFE's is; the presented chain, which that callback has
// verified against the bundle, is recorded instead so that code reading
// credentials.TLSInfo (PeerIDFromContext among it) can tell a verified peer
// from one that merely sent a certificate.
type spiffeCreds struct {
	credentials.TransportCredentials
}

func (c *spiffeCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ClientHandshake(ctx, authority, raw)
	return conn, markVerified(info), err
}

func (c *spiffeCreds) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ServerHandshake(raw)
	return conn, markVerified(info), err
}

func (c *spiffeCreds) Clone() credentials.TransportCredentials {
	return &spiffeCreds{TransportCredentials: c.TransportCredentials.Clone()}
}

func markVerified(info credentials.AuthInfo) credentials.AuthInfo {
	tlsInfo, ok := info.(credentials.TLSInfo)
	if !ok || len(tlsInfo.State.PeerCertificates) == 0 {
		return info
	}
	tlsInfo.State.VerifiedChains = [][]*x509.Certificate{tlsInfo.State.PeerCertificates}
	return tlsInfo
}
