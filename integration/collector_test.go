package integration_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/integration/internal/harness"
)

// waitSpans waits until the Collector has written at least n spans of
// trace id and returns them.
func waitSpans(t *testing.T, c *harness.Collector, id trace.TraceID, n int) []otlpSpan {
	t.Helper()
	var got []otlpSpan
	require.Eventually(t, func() bool {
		all, _ := readOTLP(t, c.TracesFile)
		got = got[:0]
		for _, s := range all {
			if s.TraceID == id.String() {
				got = append(got, s)
			}
		}
		return len(got) >= n
	}, 30*time.Second, 50*time.Millisecond, "spans of trace %s in %s", id, c.TracesFile)
	return got
}

// TestCollectorOTLPTraces sends a parent and a child span with the plain
// OpenTelemetry SDK over OTLP/gRPC and reads them back from the
// Collector's file exporter.
func TestCollectorOTLPTraces(t *testing.T) {
	t.Parallel()
	needBinaries(t)
	c := harness.StartCollector(t)

	exp, err := otlptracegrpc.New(t.Context(), otlptracegrpc.WithEndpoint(c.OTLPGRPC), otlptracegrpc.WithInsecure())
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "sdk-check"))))
	ctx, parent := tp.Tracer("integration").Start(context.Background(), "parent")
	_, child := tp.Tracer("integration").Start(ctx, "child")
	child.End()
	parent.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	spans := waitSpans(t, c, parent.SpanContext().TraceID(), 2)
	byName := map[string]otlpSpan{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	require.Contains(t, byName, "parent")
	require.Contains(t, byName, "child")
	assert.Equal(t, parent.SpanContext().SpanID().String(), byName["child"].ParentSpanID)
	assert.Empty(t, byName["parent"].ParentSpanID)
	assert.Equal(t, "sdk-check", byName["child"].Service)
}
