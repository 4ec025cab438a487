package tracing

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver counts the spans an OTLP receiver on 127.0.0.1 was sent, and
// the service names they carried.
type otlpReceiver struct {
	coltrace.UnimplementedTraceServiceServer
	mu       sync.Mutex
	spans    int
	services []string
}

func (c *otlpReceiver) record(req *coltrace.ExportTraceServiceRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				c.services = append(c.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			c.spans += len(ss.GetSpans())
		}
	}
}

func (c *otlpReceiver) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	c.record(req)
	return &coltrace.ExportTraceServiceResponse{}, nil
}

func (c *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	req := &coltrace.ExportTraceServiceRequest{}
	if err != nil || r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	c.record(req)
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (c *otlpReceiver) counts() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spans, append([]string(nil), c.services...)
}

func TestSetupOTLPHTTP(t *testing.T) {
	col := &otlpReceiver{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	tp, err := Setup(context.Background(), Config{ServiceName: "svc", ServiceVersion: "1.2.3", Endpoint: srv.URL})
	require.NoError(t, err)
	_, span := tp.Tracer("test").Start(context.Background(), "op")
	span.End()
	require.NoError(t, tp.Shutdown(context.Background()), "shutdown flushes")
	n, services := col.counts()
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"svc"}, services)
}

func TestSetupOTLPGRPCFromEnv(t *testing.T) {
	col := &otlpReceiver{}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	gs := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(gs, col)
	done := make(chan error, 1)
	go func() { done <- gs.Serve(lis) }()
	defer func() { gs.Stop(); require.NoError(t, <-done) }()

	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+lis.Addr().String())
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	tp, err := Setup(context.Background(), Config{})
	require.NoError(t, err)
	_, span := tp.Tracer("test").Start(context.Background(), "dropped by the sampler")
	assert.False(t, span.SpanContext().IsSampled())
	span.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	n, _ := col.counts()
	assert.Equal(t, 0, n)

	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")
	tp, err = Setup(context.Background(), Config{})
	require.NoError(t, err)
	_, span = tp.Tracer("test").Start(context.Background(), "kept")
	span.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	n, services := col.counts()
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"from-env"}, services)
}

func TestSetupErrors(t *testing.T) {
	_, err := Setup(context.Background(), Config{Protocol: "thrift", Endpoint: "ftp://x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.Protocol")
	assert.Contains(t, err.Error(), "Config.Endpoint")

	t.Setenv("OTEL_TRACES_EXPORTER", "zipkin")
	_, err = Setup(context.Background(), Config{})
	assert.ErrorContains(t, err, "OTEL_TRACES_EXPORTER")
}

func TestSetupGlobalOnlyWhenAsked(t *testing.T) {
	before, beforeProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	exp := tracetest.NewInMemoryExporter()
	tp, err := Setup(context.Background(), Config{Exporter: exp})
	require.NoError(t, err)
	assert.Equal(t, before, otel.GetTracerProvider())
	assert.Equal(t, beforeProp, otel.GetTextMapPropagator())
	require.NoError(t, tp.Shutdown(context.Background()))

	tp, err = Setup(context.Background(), Config{Exporter: exp, Global: true})
	require.NoError(t, err)
	defer func() {
		otel.SetTracerProvider(before)
		otel.SetTextMapPropagator(beforeProp)
		require.NoError(t, tp.Shutdown(context.Background()))
	}()
	assert.Equal(t, tp, otel.GetTracerProvider())
	assert.Contains(t, otel.GetTextMapPropagator().Fields(), "uber-trace-id")
}

func TestSetupExporterNone(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	tp, err := Setup(context.Background(), Config{})
	require.NoError(t, err)
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	assert.True(t, span.SpanContext().IsValid(), "spans still carry ids to propagate")
	span.End()
	require.NoError(t, tp.Shutdown(context.Background()))
}
