package mtls

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// verifiedPeers lets an HTTP server know, per connection, the SPIFFE ID
// that its own handshake verified. crypto/tls keeps no trace of a
// verification done by callback, so without this a handler could only
// trust whatever certificate the connection happens to carry.
//
// ConnContext gives each connection a slot, keyed by the raw connection
// under the *tls.Conn; GetConfigForClient finds the slot from the
// ClientHello and hands the handshake a configuration that fills it after
// verifyPeer accepted the peer; ConnState forgets the slot when the
// connection ends.
type verifiedPeers struct {
	slots sync.Map // net.Conn -> *peerSlot
}

type peerSlot struct{ id atomic.Pointer[spiffeid.ID] }

type peerSlotKey struct{}

// install wires srv so that every request's context can answer
// verifiedPeer.
func (v *verifiedPeers) install(srv *http.Server) {
	base := srv.TLSConfig
	// The configuration returned per connection replaces the one ServeTLS
	// prepared, so it must offer HTTP/2 itself.
	base.NextProtos = []string{"h2", "http/1.1"}
	base.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		slot, ok := v.slots.Load(hello.Conn)
		if !ok {
			return nil, nil // no slot: requests on this connection are refused
		}
		cfg := base.Clone()
		cfg.GetConfigForClient = nil
		verify := cfg.VerifyConnection
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if err := verify(cs); err != nil {
				return err
			}
			id, err := x509svid.IDFromCert(cs.PeerCertificates[0])
			if err != nil {
				return err
			}
			slot.(*peerSlot).id.Store(&id)
			return nil
		}
		return cfg, nil
	}
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		slot := &peerSlot{}
		if tc, ok := c.(*tls.Conn); ok {
			v.slots.Store(tc.NetConn(), slot)
		}
		return context.WithValue(ctx, peerSlotKey{}, slot)
	}
	srv.ConnState = func(c net.Conn, state http.ConnState) {
		if state != http.StateClosed && state != http.StateHijacked {
			return
		}
		if tc, ok := c.(*tls.Conn); ok {
			v.slots.Delete(tc.NetConn())
		}
	}
}

// verifiedPeer returns the SPIFFE ID the connection's handshake verified.
func verifiedPeer(ctx context.Context) (spiffeid.ID, bool) {
	slot, ok := ctx.Value(peerSlotKey{}).(*peerSlot)
	if !ok {
		return spiffeid.ID{}, false
	}
	id := slot.id.Load()
	if id == nil {
		return spiffeid.ID{}, false
	}
	return *id, true
}
