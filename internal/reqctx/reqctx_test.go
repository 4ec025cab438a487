package reqctx

import (
	"context"
	"crypto/x509"
	"net/url"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

func TestPeerID(t *testing.T) {
	id := spiffeid.RequireFromString("spiffe://example.org/a")
	ctx := context.Background()

	_, ok := PeerID(ctx)
	assert.False(t, ok, "no peer")

	got, ok := PeerID(WithPeerID(ctx, id))
	assert.True(t, ok)
	assert.Equal(t, id, got)

	got, ok = PeerID(peer.NewContext(ctx, &peer.Peer{AuthInfo: AuthInfo{PeerID: id}}))
	assert.True(t, ok)
	assert.Equal(t, id, got)

	// A TLS peer verified by anything but mtls carries no SPIFFE ID, even
	// with a SPIFFE URI SAN in a verified chain.
	cert := &x509.Certificate{URIs: []*url.URL{id.URL()}}
	plain := credentials.TLSInfo{}
	plain.State.PeerCertificates = []*x509.Certificate{cert}
	plain.State.VerifiedChains = [][]*x509.Certificate{{cert}}
	_, ok = PeerID(peer.NewContext(ctx, &peer.Peer{AuthInfo: plain}))
	assert.False(t, ok)
}

type principal struct{ iss, sub string }

func (p principal) Issuer() string  { return p.iss }
func (p principal) Subject() string { return p.sub }

func TestPrincipalAndRequestID(t *testing.T) {
	ctx := context.Background()
	_, ok := PrincipalFrom(ctx)
	assert.False(t, ok)
	p, ok := PrincipalFrom(WithPrincipal(ctx, principal{"https://idp", "alice"}))
	assert.True(t, ok)
	assert.Equal(t, "alice", p.Subject())

	_, ok = RequestID(WithRequestID(ctx, ""))
	assert.False(t, ok, "an empty request id is none")
	rid, ok := RequestID(WithRequestID(ctx, "r-1"))
	assert.True(t, ok)
	assert.Equal(t, "r-1", rid)
}
