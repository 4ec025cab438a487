package authz

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/internal/reqctx"
)

const grpcPolicy = `
version: 1
rules:
  - name: health-check
    action: allow
    from:
      principals: ["spiffe://example.org/ns/*"]
    to:
      grpcMethods: ["/grpc.health.v1.Health/Check"]
  - name: health-watch
    action: allow
    from:
      principals: ["spiffe://example.org/ns/mon/*"]
    to:
      grpcMethods: ["/grpc.health.v1.Health/Watch"]
    when:
      - header: x-env
        values: [prod]
`

// testPeer stands in for mTLS in these tests: it records the SPIFFE ID the
// client names in metadata, the way the mtls package records a verified
// certificate's.
func testPeer(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("test-peer"); len(v) == 1 {
		return reqctx.WithPeerID(ctx, spiffeIDOrZero(v[0]))
	}
	return ctx
}

type peerStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s peerStream) Context() context.Context { return s.ctx }

func startGRPC(t *testing.T, a *Authorizer) healthpb.HealthClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			return h(testPeer(ctx), req)
		}, UnaryServerInterceptor(a)),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			return h(srv, peerStream{ss, testPeer(ss.Context())})
		}, StreamServerInterceptor(a)),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = conn.Close()
		srv.Stop()
		<-done
	})
	return healthpb.NewHealthClient(conn)
}

func TestGRPCInterceptors(t *testing.T) {
	c := startGRPC(t, mustAuthorizer(t, grpcPolicy))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	as := func(id string, kv ...string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, append([]string{"test-peer", id}, kv...)...)
	}

	_, err := c.Check(as("spiffe://example.org/ns/web/a"), &healthpb.HealthCheckRequest{})
	assert.NoError(t, err, "unary allowed")

	_, err = c.Check(as("spiffe://other.org/ns/web/a"), &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.PermissionDenied, status.Code(err))
	assert.Equal(t, "authz: permission denied", status.Convert(err).Message(), "no policy detail")

	_, err = c.Check(ctx, &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.PermissionDenied, status.Code(err), "no identity")

	watch := func(wctx context.Context) error {
		s, err := c.Watch(wctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return err
		}
		_, err = s.Recv()
		return err
	}
	assert.NoError(t, watch(as("spiffe://example.org/ns/mon/p", "x-env", "prod")), "stream allowed")
	assert.Equal(t, codes.PermissionDenied, status.Code(watch(as("spiffe://example.org/ns/mon/p", "x-env", "dev"))))
	assert.Equal(t, codes.PermissionDenied, status.Code(watch(as("spiffe://example.org/ns/web/a", "x-env", "prod"))))
}

func TestGRPCDryRunAndNil(t *testing.T) {
	called := false
	h := func(ctx context.Context, req any) (any, error) { called = true; return "ok", nil }
	info := &grpc.UnaryServerInfo{FullMethod: "/a.B/C"}

	resp, err := UnaryServerInterceptor(mustAuthorizer(t, "version: 1", WithDryRun()))(context.Background(), nil, info, h)
	assert.NoError(t, err)
	assert.Equal(t, "ok", resp)
	assert.True(t, called)

	called = false
	_, err = UnaryServerInterceptor(nil)(context.Background(), nil, info, h)
	assert.Equal(t, codes.PermissionDenied, status.Code(err))
	assert.False(t, called)

	_, err = UnaryServerInterceptor(mustAuthorizer(t, "version: 1"))(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "bad"}, h)
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.False(t, called)
}

func TestGRPCRequest(t *testing.T) {
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(":authority", "svc.example:8443", "x-env", "prod"))
	ctx = reqctx.WithPeerID(ctx, mustID(t, "spiffe://example.org/a"))
	ctx = reqctx.WithPrincipal(ctx, testClaims{"iss": "i", "sub": "s"})
	r := GRPCRequest(ctx, "/a.B/C")
	assert.Equal(t, "/a.B/C", r.GRPCMethod)
	assert.Equal(t, "spiffe://example.org/a", r.PeerID.String())
	assert.Equal(t, "svc.example:8443", r.Host)
	assert.Equal(t, []string{"prod"}, r.Metadata.Get("x-env"))
	require.NotNil(t, r.Claims)
	assert.Equal(t, "s", r.Claims.Subject())
}
