package integration_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/integration/internal/harness"
	"github.com/ztkit/ztkit/mtls"
)

// Each workload gets its own agent here: the test process is both server
// and client, so an agent serving both entries would hand both SVIDs to
// every caller (see TestSPIRETwoSVIDsOneAgent for picking among them).
type spirePair struct {
	server            *harness.SPIREServer
	inventory, orders *harness.SPIREAgent
}

var (
	inventoryID = id("/inventory")
	ordersID    = id("/orders")
)

func startPair(t *testing.T, x509TTL time.Duration) spirePair {
	t.Helper()
	needBinaries(t)
	s := harness.StartSPIREServer(t, td)
	p := spirePair{
		server:    s,
		inventory: s.StartAgent(t, harness.Entry{ID: inventoryID, Selectors: []string{harness.UID()}, X509TTL: x509TTL}),
		orders:    s.StartAgent(t, harness.Entry{ID: ordersID, Selectors: []string{harness.UID()}, X509TTL: x509TTL}),
	}
	p.inventory.WaitForSVIDs(t, inventoryID)
	p.orders.WaitForSVIDs(t, ordersID)
	return p
}

func TestSPIREHTTP(t *testing.T) {
	t.Parallel()
	start := time.Now()
	p := startPair(t, 0)
	inv := workloadSource(t, p.inventory)
	ord := workloadSource(t, p.orders)
	t.Logf("server start to both workloads' SVIDs: %s", time.Since(start).Round(time.Millisecond))

	svid, err := inv.GetX509SVID()
	require.NoError(t, err)
	assert.Equal(t, inventoryID, svid.ID)

	url, serverErrs := serveHTTPLog(t, peerHandler, inv, mtls.AuthorizeID(ordersID))
	client := mtls.NewHTTPClient(ord, mtls.AuthorizeID(inventoryID))
	t.Cleanup(client.CloseIdleConnections)

	resp, body, err := get(t.Context(), client, url+"/stock")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, inventoryID.String(), resp.TLS.PeerCertificates[0].URIs[0].String())
	assert.True(t, strings.HasPrefix(body, ordersID.String()+" "), body)

	t.Run("server not the expected one", func(t *testing.T) {
		c := mtls.NewHTTPClient(ord, mtls.AuthorizeID(id("/payments")))
		defer c.CloseIdleConnections()
		_, _, err := get(t.Context(), c, url+"/stock")
		require.Error(t, err)
		assert.ErrorIs(t, err, mtls.ErrNotAuthorized)
	})
	t.Run("client not authorized", func(t *testing.T) {
		c := mtls.NewHTTPClient(inv, mtls.AuthorizeID(inventoryID)) // inventory calling itself
		defer c.CloseIdleConnections()
		_, _, err := get(t.Context(), c, url+"/stock")
		assert.Error(t, err, "the server allows only orders")
		assert.Eventually(t, func() bool { return serverErrs.has(mtls.ErrNotAuthorized.Error()) },
			5*time.Second, 10*time.Millisecond, "the server logs why it refused the handshake")
	})
}

func TestSPIREGRPC(t *testing.T) {
	t.Parallel()
	p := startPair(t, 0)
	inv := workloadSource(t, p.inventory)
	ord := workloadSource(t, p.orders)
	addr := serveGRPC(t, inv, mtls.AuthorizeID(ordersID))
	client := dialGRPC(t, addr, ord, mtls.AuthorizeID(inventoryID))

	resp, err := client.UnaryCall(t.Context(), &testgrpc.SimpleRequest{})
	require.NoError(t, err)
	assert.Equal(t, ordersID.String(), resp.GetUsername())

	stream, err := client.FullDuplexCall(t.Context())
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, stream.Send(&testgrpc.StreamingOutputCallRequest{}))
		msg, err := stream.Recv()
		require.NoError(t, err)
		assert.Equal(t, ordersID.String(), string(msg.GetPayload().GetBody()))
	}
	require.NoError(t, stream.CloseSend())

	wrong := dialGRPC(t, addr, ord, mtls.AuthorizeID(id("/payments")))
	_, err = wrong.UnaryCall(t.Context(), &testgrpc.SimpleRequest{})
	assert.Error(t, err, "a client expecting another server must not complete the call")
}

func TestSPIREUnregisteredWorkload(t *testing.T) {
	t.Parallel()
	needBinaries(t)
	s := harness.StartSPIREServer(t, td)
	// The only entry selects another uid, so this process matches nothing.
	other := s.StartAgent(t, harness.Entry{ID: id("/someone-else"),
		Selectors: []string{fmt.Sprintf("unix:uid:%d", os.Getuid()+1)}})

	start := time.Now()
	src, err := mtls.NewWorkloadAPISource(t.Context(), mtls.WithAddr(other.Addr()), mtls.WithReadyTimeout(2*time.Second))
	require.Error(t, err)
	assert.Nil(t, src)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.True(t, errors.Is(err, mtls.ErrNotReady), "%v", err)
	assert.Contains(t, err.Error(), other.Addr(), "the error names the address")
	assert.Contains(t, err.Error(), "registered", "the error says what to check")
	t.Logf("readiness error: %v", err)
}
