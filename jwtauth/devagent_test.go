package jwtauth_test

import (
	"context"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/mtls/devagent"
)

// TestJWTSVIDFromDevAgent fetches a JWT-SVID through the Workload API of a
// development agent and verifies it with the agent's JWT bundles.
func TestJWTSVIDFromDevAgent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
	require.NoError(t, err)
	defer agent.Close()
	web := spiffeid.RequireFromString("spiffe://example.org/web")
	orders := spiffeid.RequireFromString("spiffe://example.org/orders")
	webAddr, err := agent.Socket(web)
	require.NoError(t, err)
	ordersAddr, err := agent.Socket(orders)
	require.NoError(t, err)

	// Server side: orders verifies with the JWT bundles from its own socket.
	bundles, err := workloadapi.NewJWTSource(ctx, workloadapi.WithClientOptions(workloadapi.WithAddr(ordersAddr)))
	require.NoError(t, err)
	defer bundles.Close()
	v, err := jwtauth.NewVerifier(ctx, jwtauth.Config{Issuers: []jwtauth.Issuer{{
		Audiences: []string{orders.String()}, Keys: jwtauth.SPIFFEBundles(bundles),
	}}})
	require.NoError(t, err)
	defer v.Close()

	// Client side: web fetches JWT-SVIDs for an audience.
	client, err := workloadapi.New(ctx, workloadapi.WithAddr(webAddr))
	require.NoError(t, err)
	defer client.Close()

	tok, err := jwtauth.NewSVIDTokenSource(client, orders.String()).Token(ctx)
	require.NoError(t, err)
	c, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	id, ok := c.SPIFFEID()
	require.True(t, ok)
	assert.Equal(t, web, id)
	assert.Equal(t, []string{orders.String()}, c.Audience())

	wrong, err := jwtauth.NewSVIDTokenSource(client, "spiffe://example.org/billing").Token(ctx)
	require.NoError(t, err)
	_, err = v.Verify(ctx, wrong)
	assert.ErrorIs(t, err, jwtauth.ErrAudience)
}
