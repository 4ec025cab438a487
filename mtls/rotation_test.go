package mtls_test

import (
	"net/http"
	"net/http/httptrace"
	"slices"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/peer"

	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
)

const wantRotations = 3

// rotationRig is a server and a client whose SVIDs come from a dev agent
// that reissues them every second.
type rotationRig struct {
	agent          *devagent.Agent
	server, client *mtls.WorkloadAPISource
	serverEvents   *eventLog
	clientAuthz    mtls.Authorizer
	serverAuthz    mtls.Authorizer
}

func newRotationRig(t *testing.T) rotationRig {
	a := startAgent(t, devagent.Config{SVIDTTL: 2 * time.Second})
	var events eventLog
	return rotationRig{
		agent:        a,
		server:       workloadSource(t, a, serverID, mtls.WithEvents(events.record)),
		client:       workloadSource(t, a, clientID),
		serverEvents: &events,
		clientAuthz:  mtls.AuthorizeID(spiffeid.RequireFromString(serverID)),
		serverAuthz:  mtls.AuthorizeID(spiffeid.RequireFromString(clientID)),
	}
}

// serials lists the server's SVID serials in the order it received them.
func (r rotationRig) serials() []string {
	r.serverEvents.mu.Lock()
	defer r.serverEvents.mu.Unlock()
	var out []string
	for _, ev := range r.serverEvents.events {
		if ev.Kind == mtls.SVIDUpdated {
			out = append(out, ev.Serial)
		}
	}
	return out
}

// run calls step until the server has rotated wantRotations times, bounded
// by a deadline.
func (r rotationRig) run(t *testing.T, step func()) {
	deadline := time.Now().Add(60 * time.Second)
	for len(r.serials()) < wantRotations+1 {
		require.True(t, time.Now().Before(deadline), "the agent did not rotate %d times within 60s", wantRotations)
		step()
	}
}

// checkFreshHandshake asserts that a handshake started after the server
// held serial index from presented that serial or a newer one.
//
// The source stores a new SVID before it reports it, so a handshake can
// present a serial a moment before its event is recorded.
func (r rotationRig) checkFreshHandshake(t *testing.T, from int, presented string) {
	var idx int
	require.Eventually(t, func() bool {
		idx = slices.Index(r.serials(), presented)
		return idx >= 0
	}, 10*time.Second, time.Millisecond, "a handshake presented serial %s, which the source never reported", presented)
	assert.GreaterOrEqual(t, idx, from, "a new handshake presented an old SVID")
}

func TestHTTPAcrossRotations(t *testing.T) {
	r := newRotationRig(t)
	url, _ := startHTTP(t, r.server, r.serverAuthz)
	longLived := mtls.NewHTTPClient(r.client, r.clientAuthz)
	t.Cleanup(longLived.CloseIdleConnections)

	var requests, reused int
	seen := map[string]bool{}
	r.run(t, func() {
		reusedThis := false
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reusedThis = info.Reused }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodGet, url, nil)
		require.NoError(t, err)
		resp, err := longLived.Do(req)
		require.NoError(t, err, "request %d over the open connection failed", requests)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "HTTP/2.0", resp.Proto)
		requests++
		if reusedThis {
			reused++
		}

		from := len(r.serials()) - 1
		fresh := mtls.NewHTTPClient(r.client, r.clientAuthz)
		resp, err = fresh.Get(url) //nolint:noctx // bounded by the test
		require.NoError(t, err, "a fresh connection failed")
		require.NoError(t, resp.Body.Close())
		fresh.CloseIdleConnections()
		presented := hexSerial(resp.TLS.PeerCertificates[0])
		r.checkFreshHandshake(t, from, presented)
		seen[presented] = true
	})
	assert.Equal(t, requests-1, reused, "every request after the first reused the one open connection")
	assert.GreaterOrEqual(t, len(seen), wantRotations, "new handshakes presented the new SVIDs")
}

func TestGRPCAcrossRotations(t *testing.T) {
	r := newRotationRig(t)
	addr, _ := startGRPC(t, r.server, r.serverAuthz)
	longLived := dialGRPC(t, addr, mtls.ClientCredentials(r.client, r.clientAuthz))
	stream, err := longLived.FullDuplexCall(t.Context())
	require.NoError(t, err)

	var calls int
	seen := map[string]bool{}
	r.run(t, func() {
		got, err := grpcUnary(t, longLived)
		require.NoError(t, err, "unary call %d on the open connection failed", calls)
		assert.Equal(t, clientID, got)
		require.NoError(t, stream.Send(&testgrpc.StreamingOutputCallRequest{}), "the open stream broke")
		msg, err := stream.Recv()
		require.NoError(t, err, "the open stream broke")
		assert.Equal(t, clientID, string(msg.GetPayload().GetBody()))
		calls++

		from := len(r.serials()) - 1
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(mtls.ClientCredentials(r.client, r.clientAuthz)))
		require.NoError(t, err)
		var p peerInfo
		_, err = testgrpc.NewTestServiceClient(conn).UnaryCall(t.Context(), &testgrpc.SimpleRequest{}, grpc.Peer(&p.Peer))
		require.NoError(t, err, "a fresh connection failed")
		require.NoError(t, conn.Close())
		presented := p.serverSerial(t)
		r.checkFreshHandshake(t, from, presented)
		seen[presented] = true
	})
	require.NoError(t, stream.CloseSend())
	assert.GreaterOrEqual(t, len(seen), wantRotations, "new handshakes presented the new SVIDs")
}

type peerInfo struct{ Peer peer.Peer }

func (p peerInfo) serverSerial(t *testing.T) string {
	t.Helper()
	info, ok := p.Peer.AuthInfo.(mtls.AuthInfo)
	require.True(t, ok)
	return hexSerial(info.State.PeerCertificates[0])
}
