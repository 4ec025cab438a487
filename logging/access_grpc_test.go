package logging

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/ztkit/ztkit/internal/reqctx"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// access returns the access records written so far.
func (b *lockedBuffer) access(t *testing.T) []map[string]any {
	var out []map[string]any
	for _, r := range lines(t, b.Bytes()) {
		if r["msg"] == "grpc request" {
			out = append(out, r)
		}
	}
	return out
}

func TestAccessInterceptorsGRPC(t *testing.T) {
	var buf lockedBuffer
	l := slog.New(NewHandler(&buf, nil))
	authUnary := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ctx = reqctx.WithPrincipal(ctx, principal{"iss", "svc-a"})
		LogEvent(ctx, l, slog.LevelInfo, AuthnTokenValid, "token ok")
		return h(ctx, req)
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(l, WithHeaders("user-agent", "x-tenant")), authUnary),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(l)),
	)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() {
		srv.Stop()
		hs.Shutdown()
		<-served
	}()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "x-request-id", "rid-9", "x-tenant", "acme", "authorization", "Bearer abcdef0123456789")
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{Service: "missing"})
	require.Error(t, err)

	sctx, scancel := context.WithCancel(ctx)
	stream, err := client.Watch(sctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err)
	scancel()
	require.Eventually(t, func() bool { return len(buf.access(t)) == 3 }, 10*time.Second, 5*time.Millisecond)

	recs := buf.access(t)
	ok, missing, watch := recs[0], recs[1], recs[2]
	assert.Equal(t, "/grpc.health.v1.Health/Check", ok["method"])
	assert.Equal(t, "OK", ok["code"])
	assert.Equal(t, "svc-a", ok["subject"])
	assert.Equal(t, "rid-9", ok["request_id"])
	assert.Greater(t, ok["bytes"], 0.0)
	assert.Contains(t, ok["remote_addr"], "127.0.0.1:")
	hdrs := ok["headers"].(map[string]any)
	assert.Equal(t, "acme", hdrs["x-tenant"])
	assert.True(t, strings.HasPrefix(hdrs["user-agent"].(string), "grpc-go/"))
	assert.Equal(t, "NotFound", missing["code"])
	assert.Equal(t, "/grpc.health.v1.Health/Watch", watch["method"])
	assert.Equal(t, "Canceled", watch["code"])
	assert.Equal(t, 1.0, watch["messages_sent"])
	assert.Equal(t, 1.0, watch["messages_received"])
	assert.NotContains(t, string(buf.Bytes()), "abcdef0123456789")
}

func TestInterceptorsNilLogger(t *testing.T) {
	resp, err := UnaryServerInterceptor(nil)(context.Background(), "req", &grpc.UnaryServerInfo{FullMethod: "/a/b"},
		func(ctx context.Context, req any) (any, error) { return "resp", nil })
	require.NoError(t, err)
	assert.Equal(t, "resp", resp)
	err = StreamServerInterceptor(nil)(nil, nil, &grpc.StreamServerInfo{}, func(any, grpc.ServerStream) error { return nil })
	assert.NoError(t, err)
}
