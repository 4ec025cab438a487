package tracing

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

func TestFormatVariantsAccepted(t *testing.T) {
	f, err := New(WithPropagators(TraceContext, B3, B3Multi, Jaeger))
	require.NoError(t, err)
	short := "a3ce929d0e0e4736"
	cases := []struct {
		name             string
		in               http.Header
		trace, span      string
		sampled, debug   bool
		b3Single, uberFl string
	}{
		{"traceparent future version", hdr("traceparent", "01-"+tid+"-"+sid+"-01-future"), tid, sid, true, false, "1", "1"},
		{"traceparent unsampled", hdr("traceparent", "00-"+tid+"-"+sid+"-00"), tid, sid, false, false, "0", "0"},
		{"b3 64-bit trace id", hdr("b3", short+"-"+sid+"-1"), "0000000000000000" + short, sid, true, false, "1", "1"},
		{"b3 debug", hdr("b3", tid+"-"+sid+"-d"), tid, sid, true, true, "d", "3"},
		{"b3 deferred", hdr("b3", tid+"-"+sid), tid, sid, false, false, "0", "0"},
		{"b3multi debug", hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-flags", "1"), tid, sid, true, true, "d", "3"},
		{"b3multi true", hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-sampled", "true"), tid, sid, true, false, "1", "1"},
		{"jaeger short ids", hdr("uber-trace-id", "abc:def:0:1"), "00000000000000000000000000000abc", "0000000000000def", true, false, "1", "1"},
		{"jaeger url-encoded", hdr("uber-trace-id", tid+"%3A"+sid+"%3A0%3A3"), tid, sid, true, true, "d", "3"},
		{"jaeger unsampled", hdr("uber-trace-id", tid+":"+sid+":0:0"), tid, sid, false, false, "0", "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, sc, _ := through(t, f, tc.in)
			require.True(t, sc.IsValid())
			assert.Equal(t, tc.trace, sc.TraceID().String())
			assert.Equal(t, tc.span, sc.SpanID().String())
			assert.Equal(t, tc.sampled, sc.IsSampled())
			assert.Equal(t, tc.trace+"-"+tc.span+"-"+tc.b3Single, out.Get("b3"))
			assert.Equal(t, tc.trace+":"+tc.span+":0:"+tc.uberFl, out.Get("uber-trace-id"))
			if tc.debug {
				assert.Equal(t, "1", out.Get("x-b3-flags"))
				assert.Empty(t, out.Get("x-b3-sampled"))
			}
		})
	}
}

// TestAgreesWithOTel checks that tracecontext and baggage come out as
// OpenTelemetry's own propagators write them, and that what they write is
// extracted the same.
func TestAgreesWithOTel(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	otel := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	in := hdr("traceparent", tpIn, "tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "baggage", "k=v%20w;p=1")
	ours, _, ctx := through(t, f, in)
	theirs := http.Header{}
	otel.Inject(otel.Extract(context.Background(), propagation.HeaderCarrier(in)), propagation.HeaderCarrier(theirs))
	for _, h := range []string{"traceparent", "tracestate", "baggage"} {
		assert.Equal(t, theirs.Get(h), ours.Get(h), h)
	}
	back := otel.Extract(context.Background(), propagation.HeaderCarrier(ours))
	assert.True(t, trace.SpanContextFromContext(back).Equal(trace.SpanContextFromContext(ctx)))
}

func TestEnvPropagators(t *testing.T) {
	t.Setenv("OTEL_PROPAGATORS", "b3multi, xray")
	f, err := New()
	require.NoError(t, err)
	out, sc, _ := through(t, f, hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-sampled", "1",
		"traceparent", "00-"+parent+parent+"-"+sid+"-01", "uber-trace-id", "u", "baggage", bagIn))
	assert.Equal(t, tid, sc.TraceID().String())
	assert.Equal(t, tid, out.Get("x-b3-traceid"))
	assert.Empty(t, out.Get("b3"), "b3 single is not configured")
	assert.Equal(t, "00-"+parent+parent+"-"+sid+"-01", out.Get("traceparent"), "an unconfigured format is forwarded raw")
	assert.Equal(t, "u", out.Get("uber-trace-id"), "an unconfigured format is forwarded raw")
	assert.Empty(t, out.Get("baggage"), "baggage is not configured")

	t.Setenv("OTEL_PROPAGATORS", "none")
	f, err = New()
	require.NoError(t, err)
	out, sc, _ = through(t, f, hdr("traceparent", tpIn))
	assert.False(t, sc.IsValid())
	assert.Equal(t, tpIn, out.Get("traceparent"))

	t.Setenv("OTEL_PROPAGATORS", "")
	f, err = New()
	require.NoError(t, err)
	assert.Equal(t, fAll, f.formats)
}

func TestOptionErrors(t *testing.T) {
	_, err := New(WithPropagators("tracecontext", "xray", "w3c"), WithHeaderLimits(10, -1), WithSpans(nil), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnknownPropagator)
	for _, part := range []string{`"xray"`, `"w3c"`, "maxValueBytes 10", "maxHeaders -1", "nil TracerProvider", "nil Option"} {
		assert.Contains(t, err.Error(), part)
	}
	assert.False(t, errors.Is(err, context.Canceled))
}

func TestFields(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	fields := f.Propagator().Fields()
	for _, h := range []string{"traceparent", "tracestate", "baggage", "b3", "x-b3-traceid", "uber-trace-id", "x-request-id", "sw8", "grpc-trace-bin"} {
		assert.Contains(t, fields, h)
	}
}

// TestGenericCarrier goes through a carrier that is neither an http.Header
// nor gRPC metadata.
func TestGenericCarrier(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	in := propagation.MapCarrier{"traceparent": tpIn, "baggage": bagIn, "sw8": "s", "x-request-id": "r"}
	ctx := f.Propagator().Extract(context.Background(), in)
	out := propagation.MapCarrier{}
	f.Propagator().Inject(ctx, out)
	for k, v := range in {
		assert.Equal(t, v, out[k], k)
	}
	assert.Equal(t, tid, out["x-b3-traceid"])
}
