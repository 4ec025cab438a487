package integration_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/integration/internal/harness"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/mtls"
)

// jwtSource is a go-spiffe JWTSource on an agent: JWT-SVIDs for the
// token source, JWT bundles for the verifier.
func jwtSource(t *testing.T, agent *harness.SPIREAgent) *workloadapi.JWTSource {
	t.Helper()
	src, err := workloadapi.NewJWTSource(t.Context(), workloadapi.WithClientOptions(workloadapi.WithAddr(agent.Addr())))
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// TestSPIREJWTSVID fetches a JWT-SVID from SPIRE through jwtauth's token
// source and verifies it with a jwtauth Verifier that takes its keys from
// the agent's JWT bundles; then the same over HTTP through mtls and
// jwtauth's Transport and Middleware.
func TestSPIREJWTSVID(t *testing.T) {
	t.Parallel()
	p := startPair(t, 0)
	ordJWT := jwtSource(t, p.orders)
	invJWT := jwtSource(t, p.inventory)

	v, err := jwtauth.NewVerifier(t.Context(), jwtauth.Config{Issuers: []jwtauth.Issuer{{
		Audiences: []string{inventoryID.String()},
		Keys:      jwtauth.SPIFFEBundles(invJWT),
	}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })

	tok, err := jwtauth.NewSVIDTokenSource(ordJWT, inventoryID.String()).Token(t.Context())
	require.NoError(t, err)
	claims, err := v.Verify(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, ordersID.String(), claims.Subject())
	assert.Contains(t, claims.Audience(), inventoryID.String())

	t.Run("wrong audience", func(t *testing.T) {
		other, err := jwtauth.NewSVIDTokenSource(ordJWT, id("/payments").String()).Token(t.Context())
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), other)
		assert.ErrorIs(t, err, jwtauth.ErrAudience)
	})
	t.Run("tampered", func(t *testing.T) {
		_, err := v.Verify(t.Context(), tok[:len(tok)-4]+"AAAA")
		assert.ErrorIs(t, err, jwtauth.ErrBadSignature)
	})

	t.Run("over mtls", func(t *testing.T) {
		inv := workloadSource(t, p.inventory)
		ord := workloadSource(t, p.orders)
		h := jwtauth.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := jwtauth.ClaimsFromContext(r.Context())
			peer, _ := mtls.PeerIDFromRequest(r)
			if !ok || c.Subject() != peer.String() {
				http.Error(w, "token subject is not the mTLS peer", http.StatusForbidden)
				return
			}
			_, _ = w.Write([]byte(c.Subject()))
		}))
		url := serveHTTP(t, h, inv, mtls.AuthorizeID(ordersID))
		client := mtls.NewHTTPClient(ord, mtls.AuthorizeID(inventoryID))
		t.Cleanup(client.CloseIdleConnections)

		resp, body, err := get(t.Context(), client, url)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no token: %s", body)

		client.Transport = jwtauth.Transport(client.Transport, jwtauth.NewSVIDTokenSource(ordJWT, inventoryID.String()))
		resp, body, err = get(t.Context(), client, url)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, ordersID.String(), body)
	})

	t.Run("over mtls grpc", func(t *testing.T) {
		inv := workloadSource(t, p.inventory)
		ord := workloadSource(t, p.orders)
		srv := grpc.NewServer(grpc.Creds(mtls.ServerCredentials(inv, mtls.AuthorizeID(ordersID))),
			grpc.ChainUnaryInterceptor(jwtauth.UnaryServerInterceptor(v)))
		testgrpc.RegisterTestServiceServer(srv, claimsService{})
		addr := startGRPC(t, srv)

		bare := dialGRPC(t, addr, ord, mtls.AuthorizeID(inventoryID))
		_, err := bare.UnaryCall(t.Context(), &testgrpc.SimpleRequest{})
		assert.Equal(t, codes.Unauthenticated, status.Code(err), "no token: %v", err)

		conn, err := grpc.NewClient(addr,
			grpc.WithTransportCredentials(mtls.ClientCredentials(ord, mtls.AuthorizeID(inventoryID))),
			grpc.WithPerRPCCredentials(jwtauth.PerRPCCredentials(jwtauth.NewSVIDTokenSource(ordJWT, inventoryID.String()))))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		resp, err := testgrpc.NewTestServiceClient(conn).UnaryCall(t.Context(), &testgrpc.SimpleRequest{})
		require.NoError(t, err)
		assert.Equal(t, ordersID.String(), resp.GetUsername())
	})
}

// claimsService answers UnaryCall with the verified token's subject.
type claimsService struct {
	testgrpc.UnimplementedTestServiceServer
}

func (claimsService) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	c, ok := jwtauth.ClaimsFromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Internal, "no claims")
	}
	return &testgrpc.SimpleResponse{Username: c.Subject()}, nil
}
