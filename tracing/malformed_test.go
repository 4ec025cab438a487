package tracing

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// through extracts in from one call and returns what the Forwarder injects
// into the next, with the extracted span context.
func through(t *testing.T, f *Forwarder, in http.Header) (http.Header, trace.SpanContext, context.Context) {
	t.Helper()
	ctx := f.Propagator().Extract(context.Background(), propagation.HeaderCarrier(in))
	out := http.Header{}
	f.Propagator().Inject(ctx, propagation.HeaderCarrier(out))
	return out, trace.SpanContextFromContext(ctx), ctx
}

func TestMalformedTraceHeadersDropped(t *testing.T) {
	f, err := New(WithPropagators(TraceContext, Baggage, B3, B3Multi, Jaeger))
	require.NoError(t, err)
	cases := map[string]http.Header{
		"traceparent uppercase":   hdr("traceparent", "00-"+strings.ToUpper(tid)+"-"+sid+"-01"),
		"traceparent zero trace":  hdr("traceparent", "00-"+strings.Repeat("0", 32)+"-"+sid+"-01"),
		"traceparent zero span":   hdr("traceparent", "00-"+tid+"-"+strings.Repeat("0", 16)+"-01"),
		"traceparent version ff":  hdr("traceparent", "ff-"+tid+"-"+sid+"-01"),
		"traceparent v00 extra":   hdr("traceparent", tpIn+"-extra"),
		"traceparent short":       hdr("traceparent", "00-"+tid[:31]+"-"+sid+"-01"),
		"traceparent bad flags":   hdr("traceparent", "00-"+tid+"-"+sid+"-0g"),
		"traceparent reserved":    hdr("traceparent", "00-"+tid+"-"+sid+"-09"),
		"traceparent separators":  hdr("traceparent", "00_"+tid+"_"+sid+"_01"),
		"b3 garbage":              hdr("b3", "not-a-b3-header"),
		"b3 bad sampling":         hdr("b3", tid+"-"+sid+"-x"),
		"b3 bad parent":           hdr("b3", tid+"-"+sid+"-1-zz"),
		"b3 sampling only":        hdr("b3", "1"),
		"b3 short span":           hdr("b3", tid+"-"+sid[:15]),
		"b3multi no span":         hdr("x-b3-traceid", tid),
		"b3multi bad sampled":     hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-sampled", "yes"),
		"b3multi bad flags":       hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-flags", "2"),
		"b3multi long trace":      hdr("x-b3-traceid", tid+"00", "x-b3-spanid", sid),
		"jaeger three parts":      hdr("uber-trace-id", tid+":"+sid+":1"),
		"jaeger five parts":       hdr("uber-trace-id", tid+":"+sid+":0:1:2"),
		"jaeger non hex":          hdr("uber-trace-id", "xyz:"+sid+":0:1"),
		"jaeger zero trace":       hdr("uber-trace-id", "0:"+sid+":0:1"),
		"traceparent oversized":   hdr("traceparent", tpIn[:53]+strings.Repeat("1", DefaultMaxValueBytes)),
		"traceparent control chr": hdr("traceparent", tpIn[:54]+"\n"),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out, sc, _ := through(t, f, in)
			assert.False(t, sc.IsValid())
			for _, h := range []string{"traceparent", "b3", "x-b3-traceid", "uber-trace-id"} {
				assert.Empty(t, out.Get(h), h)
			}
		})
	}
}

func TestTracestateMalformedKeepsTraceparent(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	out, sc, _ := through(t, f, hdr("traceparent", tpIn, "tracestate", "=bad,,,"))
	assert.True(t, sc.IsValid())
	assert.Equal(t, tpIn, out.Get("traceparent"))
	assert.Empty(t, out.Get("tracestate"))
}

func TestBaggageBounds(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	cases := map[string]http.Header{
		"malformed":  hdr("baggage", "no-equals-sign"),
		"bad escape": hdr("baggage", "k=%zz"),
		"oversized":  hdr("baggage", "k="+strings.Repeat("v", DefaultMaxValueBytes)),
		"split oversized": hdr("baggage", "a="+strings.Repeat("v", DefaultMaxValueBytes/2),
			"baggage", "b="+strings.Repeat("v", DefaultMaxValueBytes/2)),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out, _, ctx := through(t, f, in)
			assert.Equal(t, 0, baggage.FromContext(ctx).Len())
			assert.Empty(t, out.Get("baggage"))
		})
	}
	t.Run("two lines join", func(t *testing.T) {
		_, _, ctx := through(t, f, hdr("baggage", "a=1", "baggage", "b=2"))
		bag := baggage.FromContext(ctx)
		assert.Equal(t, "1", bag.Member("a").Value())
		assert.Equal(t, "2", bag.Member("b").Value())
	})
}

func TestRawHeaderBounds(t *testing.T) {
	f, err := New(WithHeaderLimits(128, 3))
	require.NoError(t, err)
	in := hdr(
		"sw8", strings.Repeat("a", 129), // over the value bound
		"x-ot-span-context", "ok\r\nInjected: yes", // control characters
		"x-cloud-trace-context", "caf\u00e9", // not ASCII
		"grpc-trace-bin", "!!!not base64", // not base64
		"sw8-x", "tab\there", // a tab, which gRPC refuses
		"x-datadog-a!b", "1", // a name gRPC refuses
	)
	out, _, _ := through(t, f, in)
	for k := range in {
		assert.Empty(t, out.Get(k), k)
	}

	many := http.Header{}
	for i := range 10 {
		many.Set("x-datadog-"+strings.Repeat("x", i+1), "1")
	}
	out, _, _ = through(t, f, many)
	assert.Len(t, out, 3, "only maxHeaders raw headers are forwarded")
}

func TestRequestID(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	var got []string
	h := f.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		id, ok := RequestIDFromContext(r.Context())
		assert.True(t, ok)
		got = append(got, id)
	}))
	for _, v := range []string{"caller-id-1", "", "has space", strings.Repeat("x", 129), "ctl\x01"} {
		r, err := http.NewRequest(http.MethodGet, "/", nil)
		require.NoError(t, err)
		if v != "" {
			r.Header.Set("X-Request-Id", v)
		}
		h.ServeHTTP(nil, r)
	}
	require.Len(t, got, 5)
	assert.Equal(t, "caller-id-1", got[0])
	for _, id := range got[1:] {
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	}
	assert.NotEqual(t, got[1], got[2])
}
