package integration_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/mtls"
)

// rotations counts the distinct SVIDs a source reported.
type rotations struct {
	mu      sync.Mutex
	serials map[string]time.Time // serial -> NotAfter
	errs    []error
}

func (r *rotations) observe(e mtls.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Kind {
	case mtls.SVIDUpdated:
		r.serials[e.Serial] = e.NotAfter
	case mtls.SourceError:
		r.errs = append(r.errs, e.Err)
	}
}

func (r *rotations) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.serials)
}

// TestSPIRERotationUnderLoad issues SVIDs with a 10s TTL and keeps both
// sides busy until each has rotated at least twice and the first SVIDs have
// expired: every HTTP request opens a new connection (so it handshakes with
// the current SVIDs) and one gRPC connection stays open throughout; none
// may fail.
func TestSPIRERotationUnderLoad(t *testing.T) {
	t.Parallel()
	p := startPair(t, 10*time.Second)
	invRot := &rotations{serials: map[string]time.Time{}}
	ordRot := &rotations{serials: map[string]time.Time{}}
	inv := workloadSource(t, p.inventory, mtls.WithEvents(invRot.observe))
	ord := workloadSource(t, p.orders, mtls.WithEvents(ordRot.observe))

	svid, err := inv.GetX509SVID()
	require.NoError(t, err)
	firstExpiry := svid.Certificates[0].NotAfter
	lifetime := firstExpiry.Sub(svid.Certificates[0].NotBefore)
	require.LessOrEqual(t, lifetime, 30*time.Second, "the entry's short TTL applies")

	url := serveHTTP(t, peerHandler, inv, mtls.AuthorizeID(ordersID))
	client := mtls.NewHTTPClient(ord, mtls.AuthorizeID(inventoryID))
	t.Cleanup(client.CloseIdleConnections)
	grpcClient := dialGRPC(t, serveGRPC(t, inv, mtls.AuthorizeID(ordersID)), ord, mtls.AuthorizeID(inventoryID))

	clientSerials := map[string]bool{} // the orders SVIDs the server saw
	serverSerials := map[string]bool{} // the inventory SVIDs the client saw
	var requests, failures int
	var failed []string
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(90 * time.Second)
	for (invRot.count() < 3 || ordRot.count() < 3 || len(clientSerials) < 3 || len(serverSerials) < 3 ||
		!time.Now().After(firstExpiry.Add(time.Second))) && time.Now().Before(deadline) {
		<-tick.C
		requests++
		resp, body, err := get(t.Context(), client, url+"/stock")
		switch {
		case err != nil:
			failures++
			failed = append(failed, err.Error())
		case resp.StatusCode != http.StatusOK:
			failures++
			failed = append(failed, resp.Status)
		default:
			peer, serial, _ := strings.Cut(body, " ")
			assert.Equal(t, ordersID.String(), peer)
			clientSerials[serial] = true
			serverSerials[resp.TLS.PeerCertificates[0].SerialNumber.Text(16)] = true
		}
		client.CloseIdleConnections()

		if r, err := grpcClient.UnaryCall(t.Context(), &testgrpc.SimpleRequest{}); err != nil {
			failures++
			failed = append(failed, "grpc: "+err.Error())
		} else {
			assert.Equal(t, ordersID.String(), r.GetUsername())
		}
	}
	t.Logf("%d HTTP+gRPC rounds, %d failures; inventory SVIDs %d, orders SVIDs %d; SVID lifetime %s",
		requests, failures, invRot.count(), ordRot.count(), lifetime)
	assert.Zero(t, failures, "failures: %v", failed)
	assert.GreaterOrEqual(t, invRot.count(), 3, "inventory's SVID rotated at least twice")
	assert.GreaterOrEqual(t, ordRot.count(), 3, "orders' SVID rotated at least twice")
	assert.GreaterOrEqual(t, len(clientSerials), 3, "the server saw the client's rotated SVIDs")
	assert.GreaterOrEqual(t, len(serverSerials), 3, "the client saw the server's rotated SVIDs")
	assert.True(t, time.Now().After(firstExpiry), "requests went on past the first SVID's expiry")
	assert.Empty(t, invRot.errs)
	assert.Empty(t, ordRot.errs)
}
