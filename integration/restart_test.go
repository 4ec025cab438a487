package integration_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/mtls"
)

// TestSPIREAgentRestart stops the client's agent: the workload keeps
// calling with the SVID it holds, its source reports the lost agent, and
// once the agent is back the source picks up the SVID the agent issues
// anew, without a restart of the workload.
func TestSPIREAgentRestart(t *testing.T) {
	t.Parallel()
	p := startPair(t, 0)
	rot := &rotations{serials: map[string]time.Time{}}
	inv := workloadSource(t, p.inventory)
	ord := workloadSource(t, p.orders, mtls.WithEvents(rot.observe))
	url := serveHTTP(t, peerHandler, inv, mtls.AuthorizeID(ordersID))
	client := mtls.NewHTTPClient(ord, mtls.AuthorizeID(inventoryID))
	t.Cleanup(client.CloseIdleConnections)
	call := func(when string) {
		t.Helper()
		client.CloseIdleConnections() // a new handshake each time
		resp, _, err := get(t.Context(), client, url)
		require.NoError(t, err, when)
		assert.Equal(t, http.StatusOK, resp.StatusCode, when)
	}
	call("before the restart")
	require.Equal(t, 1, rot.count())

	p.orders.Stop(t)
	require.Eventually(t, func() bool {
		rot.mu.Lock()
		defer rot.mu.Unlock()
		return len(rot.errs) > 0
	}, 20*time.Second, 20*time.Millisecond, "the source reports that the agent is gone")
	call("while the agent is down")

	p.orders.Start(t)
	require.Eventually(t, func() bool { return rot.count() >= 2 }, 30*time.Second, 20*time.Millisecond,
		"the source receives the restarted agent's SVID")
	call("after the restart")
	svid, err := ord.GetX509SVID()
	require.NoError(t, err)
	assert.Equal(t, ordersID, svid.ID)
}
