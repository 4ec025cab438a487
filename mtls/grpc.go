package mtls

import (
	"context"
	"fmt"
	"net"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"google.golang.org/grpc/credentials"

	"github.com/ztkit/ztkit/internal/reqctx"
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

// AuthInfo is what ServerCredentials and ClientCredentials hand gRPC for a
// verified connection: credentials.TLSInfo plus the peer's SPIFFE ID. Read
// it from peer.FromContext(ctx).AuthInfo, or just use PeerIDFromContext.
type AuthInfo = reqctx.AuthInfo

// spiffeCreds turns the TLS handshake's result into an AuthInfo. Only
// connections that went through these credentials carry one, so a TLS peer
// that another configuration accepted never passes for a SPIFFE peer.
type spiffeCreds struct {
	credentials.TransportCredentials
}

func (c *spiffeCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ClientHandshake(ctx, authority, raw)
	if err != nil {
		return conn, info, err
	}
	return withPeerID(conn, info)
}

func (c *spiffeCreds) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ServerHandshake(raw)
	if err != nil {
		return conn, info, err
	}
	return withPeerID(conn, info)
}

func (c *spiffeCreds) Clone() credentials.TransportCredentials {
	return &spiffeCreds{TransportCredentials: c.TransportCredentials.Clone()}
}

// withPeerID reads the SPIFFE ID of a peer that verifyPeer accepted during
// the handshake.
func withPeerID(conn net.Conn, info credentials.AuthInfo) (net.Conn, credentials.AuthInfo, error) {
	tlsInfo, ok := info.(credentials.TLSInfo)
	if !ok || len(tlsInfo.State.PeerCertificates) == 0 {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("%w: handshake ended without a peer certificate", ErrBadPeerCertificate)
	}
	id, err := x509svid.IDFromCert(tlsInfo.State.PeerCertificates[0])
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("%w: %w", ErrBadPeerCertificate, err)
	}
	return conn, AuthInfo{TLSInfo: tlsInfo, PeerID: id}, nil
}
