package tracing

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/local"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

type recordHealth struct {
	healthpb.UnimplementedHealthServer
	got chan context.Context
}

func (h *recordHealth) Check(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	h.got <- ctx
	return &healthpb.HealthCheckResponse{}, nil
}

func (h *recordHealth) Watch(_ *healthpb.HealthCheckRequest, s healthpb.Health_WatchServer) error {
	h.got <- s.Context()
	return s.Send(&healthpb.HealthCheckResponse{})
}

// grpcPair serves a recording health service with the given server options
// and returns a client dialled with the given dial options.
func grpcPair(t *testing.T, sopts []grpc.ServerOption, dopts []grpc.DialOption) (healthpb.HealthClient, chan context.Context) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(append(sopts, grpc.Creds(local.NewCredentials()))...)
	rec := &recordHealth{got: make(chan context.Context, 1)}
	healthpb.RegisterHealthServer(srv, rec)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); require.NoError(t, <-done) })
	conn, err := grpc.NewClient(lis.Addr().String(), append(dopts, grpc.WithTransportCredentials(local.NewCredentials()))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return healthpb.NewHealthClient(conn), rec.got
}

func recv(t *testing.T, ch chan context.Context) context.Context {
	t.Helper()
	select {
	case ctx := <-ch:
		return ctx
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not arrive")
		return nil
	}
}

// TestPackageInterceptors uses the zero-config interceptors on both sides,
// unary and streaming, and checks that an outgoing traceparent the caller
// set by hand is replaced rather than duplicated.
func TestPackageInterceptors(t *testing.T) {
	client, got := grpcPair(t,
		[]grpc.ServerOption{grpc.UnaryInterceptor(UnaryServerInterceptor()), grpc.StreamInterceptor(StreamServerInterceptor())},
		[]grpc.DialOption{grpc.WithUnaryInterceptor(UnaryClientInterceptor()), grpc.WithStreamInterceptor(StreamClientInterceptor())})
	scc, ok := parseTraceparent(tpIn)
	require.True(t, ok)
	scc.Remote = true
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(scc))
	ctx = metadata.AppendToOutgoingContext(ctx, "traceparent", "00-stale", "x-custom", "kept")
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	sctx := recv(t, got)
	md, _ := metadata.FromIncomingContext(sctx)
	assert.Equal(t, []string{tpIn}, md.Get("traceparent"))
	assert.Equal(t, []string{"kept"}, md.Get("x-custom"))
	assert.Equal(t, tid, trace.SpanContextFromContext(sctx).TraceID().String())
	id, ok := RequestIDFromContext(sctx)
	assert.True(t, ok, "the server generates a request id")
	assert.Len(t, id, 36)

	st, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	_, err = st.Recv()
	require.NoError(t, err)
	sctx = recv(t, got)
	assert.Equal(t, sid, trace.SpanContextFromContext(sctx).SpanID().String())
}

// TestEdgeLinkWithoutStatsHandler checks that edge mode holds even when
// spans are asked for but only the interceptors are installed, so that no
// span-starting handler replaced the caller's context.
func TestEdgeLinkWithoutStatsHandler(t *testing.T) {
	tp, _ := newRecorder(t)
	edge, err := New(WithSpans(tp), WithEdgeLink())
	require.NoError(t, err)
	client, got := grpcPair(t, []grpc.ServerOption{grpc.ChainUnaryInterceptor(edge.UnaryServerInterceptor())}, nil)
	ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(),
		"traceparent", tpIn, "baggage", bagIn), 10*time.Second)
	defer cancel()
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	sc := trace.SpanContextFromContext(recv(t, got))
	require.True(t, sc.IsValid())
	assert.NotEqual(t, tid, sc.TraceID().String())
}
