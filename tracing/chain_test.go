package tracing

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/local"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// seen is what one hop observed of a call.
type seen struct {
	header    http.Header // HTTP hops
	md        metadata.MD // gRPC hops
	sc        trace.SpanContext
	bag       string
	requestID string
}

func observe(ctx context.Context) seen {
	id, _ := RequestIDFromContext(ctx)
	return seen{sc: trace.SpanContextFromContext(ctx), bag: baggage.FromContext(ctx).String(), requestID: id}
}

// chain is an in-process HTTP -> gRPC -> HTTP service chain on 127.0.0.1:
// a client calls A (served with fA, the others use f) over HTTP, A calls B
// over gRPC (unary Check, or streaming Watch when the path is /stream), B
// calls C over HTTP.
type chain struct {
	a, c     *httptest.Server
	b        *grpc.Server
	conn     *grpc.ClientConn
	atA, atC chan seen
	atB      chan seen
}

type hopB struct {
	healthpb.UnimplementedHealthServer
	ch   *chain
	next *http.Client
}

func (h *hopB) call(ctx context.Context) error {
	s := observe(ctx)
	s.md, _ = metadata.FromIncomingContext(ctx)
	h.ch.atB <- s
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.ch.c.URL, nil)
	if err != nil {
		return err
	}
	resp, err := h.next.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func (h *hopB) Check(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, h.call(ctx)
}

func (h *hopB) Watch(_ *healthpb.HealthCheckRequest, s healthpb.Health_WatchServer) error {
	if err := h.call(s.Context()); err != nil {
		return err
	}
	return s.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING})
}

func newChain(t *testing.T, fA, f *Forwarder) *chain {
	t.Helper()
	ch := &chain{atA: make(chan seen, 1), atB: make(chan seen, 1), atC: make(chan seen, 1)}
	ch.c = httptest.NewServer(f.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := observe(r.Context())
		s.header = r.Header.Clone()
		ch.atC <- s
	})))
	t.Cleanup(ch.c.Close)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ch.b = grpc.NewServer(append(f.ServerOptions(), grpc.Creds(local.NewCredentials()))...)
	healthpb.RegisterHealthServer(ch.b, &hopB{ch: ch, next: &http.Client{Transport: f.Transport(nil)}})
	served := make(chan error, 1)
	go func() { served <- ch.b.Serve(lis) }()
	t.Cleanup(func() {
		ch.b.Stop()
		require.NoError(t, <-served)
	})

	ch.conn, err = grpc.NewClient(lis.Addr().String(),
		append(fA.DialOptions(), grpc.WithTransportCredentials(local.NewCredentials()))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.conn.Close() })
	client := healthpb.NewHealthClient(ch.conn)

	ch.a = httptest.NewServer(fA.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := observe(r.Context())
		s.header = r.Header.Clone()
		ch.atA <- s
		var err error
		if r.URL.Path == "/stream" {
			var st healthpb.Health_WatchClient
			if st, err = client.Watch(r.Context(), &healthpb.HealthCheckRequest{}); err == nil {
				_, err = st.Recv()
			}
		} else {
			_, err = client.Check(r.Context(), &healthpb.HealthCheckRequest{})
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})))
	t.Cleanup(ch.a.Close)
	return ch
}

// run sends one request with the given headers to A and returns what each
// hop saw.
func (ch *chain) run(t *testing.T, path string, h http.Header) (a, b, c seen) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ch.a.URL+path, nil)
	require.NoError(t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := ch.a.Client().Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	for _, p := range []struct {
		ch  chan seen
		dst *seen
	}{{ch.atA, &a}, {ch.atB, &b}, {ch.atC, &c}} {
		select {
		case *p.dst = <-p.ch:
		case <-ctx.Done():
			t.Fatal("a hop was not reached")
		}
	}
	return a, b, c
}
