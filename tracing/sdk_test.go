package tracing

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func newRecorder(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })
	return tp, exp
}

// waitSpans waits for n ended spans and returns all ended spans.
func waitSpans(t *testing.T, exp *tracetest.InMemoryExporter, n int) tracetest.SpanStubs {
	t.Helper()
	require.Eventually(t, func() bool { return len(exp.GetSpans()) >= n }, 10*time.Second, 5*time.Millisecond)
	return exp.GetSpans()
}

// hops orders the five spans of one chain call by following parent links
// from the root-most span: A server, A client, B server, B client, C server.
func hops(t *testing.T, spans tracetest.SpanStubs, first trace.SpanID) []tracetest.SpanStub {
	t.Helper()
	byParent := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byParent[s.Parent.SpanID()] = s
	}
	var out []tracetest.SpanStub
	at := first
	for range len(spans) {
		s, ok := byParent[at]
		if !ok {
			break
		}
		out = append(out, s)
		at = s.SpanContext.SpanID()
	}
	return out
}

// TestChainWithSDK checks parent/child relations across HTTP -> gRPC -> HTTP
// when every hop starts spans through an SDK.
func TestChainWithSDK(t *testing.T) {
	for _, path := range []string{"/unary", "/stream"} {
		t.Run(path[1:], func(t *testing.T) {
			tp, exp := newRecorder(t)
			f, err := New(WithSpans(tp))
			require.NoError(t, err)
			ch := newChain(t, f, f)
			a, b, c := ch.run(t, path, hdr("traceparent", tpIn, "baggage", bagIn, "x-request-id", "r1", "sw8", "1-abc"))

			spans := waitSpans(t, exp, 5)
			chainSpans := hops(t, spans, trace.SpanID(mustSpanID(t, sid)))
			require.Len(t, chainSpans, 5)
			wantKinds := []trace.SpanKind{trace.SpanKindServer, trace.SpanKindClient, trace.SpanKindServer, trace.SpanKindClient, trace.SpanKindServer}
			for i, s := range chainSpans {
				assert.Equal(t, tid, s.SpanContext.TraceID().String(), i)
				assert.Equal(t, wantKinds[i], s.SpanKind, i)
			}
			assert.True(t, chainSpans[0].Parent.IsRemote(), "the first span's parent is the caller's")
			assert.Equal(t, chainSpans[0].SpanContext.SpanID(), a.sc.SpanID(), "A serves in its server span")
			assert.Equal(t, chainSpans[2].SpanContext.SpanID(), b.sc.SpanID(), "B serves in its server span")
			assert.Equal(t, chainSpans[4].SpanContext.SpanID(), c.sc.SpanID(), "C serves in its server span")
			assert.Equal(t, "00-"+tid+"-"+chainSpans[3].SpanContext.SpanID().String()+"-01", c.header.Get("traceparent"))
			assert.Equal(t, chainSpans[3].SpanContext.SpanID().String(), c.header.Get("x-b3-spanid"))
			assert.Equal(t, bagIn, c.bag)
			assert.Equal(t, "r1", c.requestID)
			assert.Equal(t, "1-abc", c.header.Get("sw8"))
		})
	}
}

func mustSpanID(t *testing.T, s string) trace.SpanID {
	t.Helper()
	id, err := trace.SpanIDFromHex(s)
	require.NoError(t, err)
	return id
}

// TestEdgeWithSDKLinks checks that an edge service starts a new trace whose
// root links to the caller's span, and forwards nothing of the caller's.
func TestEdgeWithSDKLinks(t *testing.T) {
	tp, exp := newRecorder(t)
	edge, err := New(WithSpans(tp), WithEdgeLink())
	require.NoError(t, err)
	f, err := New(WithSpans(tp))
	require.NoError(t, err)
	ch := newChain(t, edge, f)
	a, _, c := ch.run(t, "/unary", hdr("traceparent", tpIn, "baggage", bagIn, "x-request-id", "r1", "sw8", "1-abc"))

	require.True(t, a.sc.IsValid())
	assert.NotEqual(t, tid, a.sc.TraceID().String())
	assert.Equal(t, a.sc.TraceID(), c.sc.TraceID(), "the new trace continues downstream")
	assert.Empty(t, c.bag)
	assert.Empty(t, c.header.Get("baggage"))
	assert.Empty(t, c.header.Get("sw8"))
	assert.NotEqual(t, "r1", c.requestID)
	assert.Equal(t, a.requestID, c.requestID)

	spans := waitSpans(t, exp, 5)
	var root *tracetest.SpanStub
	for i := range spans {
		if spans[i].SpanContext.SpanID() == a.sc.SpanID() {
			root = &spans[i]
		}
	}
	require.NotNil(t, root)
	assert.False(t, root.Parent.IsValid(), "the edge span is a root")
	require.Len(t, root.Links, 1)
	assert.Equal(t, tid, root.Links[0].SpanContext.TraceID().String())
	assert.Equal(t, sid, root.Links[0].SpanContext.SpanID().String())
}

// TestEdgeWithoutSDK checks that an edge service with no SDK still restarts
// the trace and strips the caller's context.
func TestEdgeWithoutSDK(t *testing.T) {
	edge, err := New(WithEdge())
	require.NoError(t, err)
	f, err := New()
	require.NoError(t, err)
	ch := newChain(t, edge, f)
	for _, path := range []string{"/unary", "/stream"} {
		a, b, c := ch.run(t, path, hdr("traceparent", tpIn, "b3", tid+"-"+sid+"-1", "baggage", bagIn,
			"x-request-id", "r1", "x-datadog-trace-id", "1"))
		require.True(t, a.sc.IsValid())
		assert.NotEqual(t, tid, a.sc.TraceID().String())
		assert.True(t, a.sc.IsSampled())
		for _, s := range []seen{b, c} {
			assert.Equal(t, a.sc.TraceID(), s.sc.TraceID())
			assert.Equal(t, a.sc.SpanID(), s.sc.SpanID())
			assert.Empty(t, s.bag)
			assert.Equal(t, a.requestID, s.requestID)
		}
		assert.NotEqual(t, "r1", a.requestID)
		assert.Empty(t, c.header.Get("x-datadog-trace-id"))
		assert.Empty(t, c.header.Get("baggage"))
		assert.NotContains(t, c.header.Get("b3"), tid)
	}
}
