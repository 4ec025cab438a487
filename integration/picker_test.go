package integration_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/integration/internal/harness"
	"github.com/ztkit/ztkit/mtls"
)

// pickHint returns a go-spiffe SVID picker choosing the SVID whose entry
// carries hint, falling back to the first.
func pickHint(hint string) func([]*x509svid.SVID) *x509svid.SVID {
	return func(svids []*x509svid.SVID) *x509svid.SVID {
		for _, s := range svids {
			if s.Hint == hint {
				return s
			}
		}
		return svids[0]
	}
}

// hintedSource is a go-spiffe X509Source that presents the SVID with hint;
// it is an mtls.Source as it is.
func hintedSource(t *testing.T, agent *harness.SPIREAgent, hint string) mtls.Source {
	t.Helper()
	src, err := workloadapi.NewX509Source(t.Context(),
		workloadapi.WithClientOptions(workloadapi.WithAddr(agent.Addr())),
		workloadapi.WithDefaultX509SVIDPicker(pickHint(hint)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// TestSPIRETwoSVIDsOneAgent registers two identities for the same uid on
// one agent. The Workload API then hands both SVIDs to the process (unix
// selectors cannot tell two parts of one process apart), and each side
// picks its own by the entry's hint.
func TestSPIRETwoSVIDsOneAgent(t *testing.T) {
	t.Parallel()
	needBinaries(t)
	s := harness.StartSPIREServer(t, td)
	agent := s.StartAgent(t,
		harness.Entry{ID: inventoryID, Selectors: []string{harness.UID()}, Hint: "inventory"},
		harness.Entry{ID: ordersID, Selectors: []string{harness.UID()}, Hint: "orders"},
	)

	// A picker can only choose among the SVIDs it is given: wait for both.
	agent.WaitForSVIDs(t, inventoryID, ordersID)
	svids, err := workloadapi.FetchX509SVIDs(t.Context(), workloadapi.WithAddr(agent.Addr()))
	require.NoError(t, err)
	var got []string
	for _, s := range svids {
		got = append(got, s.ID.String()+"#"+s.Hint)
	}
	assert.ElementsMatch(t, []string{inventoryID.String() + "#inventory", ordersID.String() + "#orders"}, got)

	inv := hintedSource(t, agent, "inventory")
	ord := hintedSource(t, agent, "orders")
	url := serveHTTP(t, peerHandler, inv, mtls.AuthorizeID(ordersID))
	client := mtls.NewHTTPClient(ord, mtls.AuthorizeID(inventoryID))
	t.Cleanup(client.CloseIdleConnections)

	resp, body, err := get(t.Context(), client, url)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(body, ordersID.String()+" "), body)
	assert.Equal(t, inventoryID.String(), resp.TLS.PeerCertificates[0].URIs[0].String())
}
