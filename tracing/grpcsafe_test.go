package tracing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc/metadata"
)

// TestHTTPToGRPCRefusedHeadersDropped sends headers that HTTP accepts but
// gRPC refuses as metadata (a name outside [0-9a-z-_.], a value with a tab)
// through HTTP -> gRPC -> HTTP: the downstream calls still succeed, the bad
// headers are dropped and the good vendor headers travel on.
func TestHTTPToGRPCRefusedHeadersDropped(t *testing.T) {
	plain, err := New()
	require.NoError(t, err)
	tp, _ := newRecorder(t)
	spans, err := New(WithSpans(tp))
	require.NoError(t, err)
	for name, f := range map[string]*Forwarder{"interceptors": plain, "spans": spans} {
		for _, path := range []string{"/unary", "/stream"} {
			t.Run(name+path, func(t *testing.T) {
				ch := newChain(t, f, f)
				in := hdr("traceparent", tpIn,
					"tracestate", "a=1,\tb=2", "baggage", "k=v,\tj=w", // tabs, parsed but not forwarded raw
					"X-Datadog-A!b", "1", // key gRPC refuses
					"Sw8", "a\tb", // value gRPC refuses
					"X-Ot-Span-Context", "tab\tinside",
					"X-Datadog-Trace-Id", "123",
					"X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1")
				_, b, c := ch.run(t, path, in)
				for _, bad := range []string{"x-datadog-a!b", "sw8", "x-ot-span-context"} {
					assert.Empty(t, b.md.Get(bad), bad)
					assert.Empty(t, c.header.Get(bad), bad)
				}
				assert.Equal(t, []string{"123"}, b.md.Get("x-datadog-trace-id"))
				assert.Equal(t, "123", c.header.Get("x-datadog-trace-id"))
				assert.Equal(t, "105445aa7843bc8bf206b12000100000/1;o=1", c.header.Get("x-cloud-trace-context"))
				assert.Equal(t, tid, b.sc.TraceID().String())
				assert.Equal(t, "a=1,b=2", b.sc.TraceState().String())
				assert.Equal(t, []string{"a=1,b=2"}, b.md.Get("tracestate"))
				assert.ElementsMatch(t, []string{"k=v", "j=w"}, strings.Split(b.bag, ","))
				assert.ElementsMatch(t, []string{"k=v", "j=w"}, strings.Split(c.header.Get("baggage"), ","))
			})
		}
	}
}

// TestWriteMDSkipsRefusedPairs checks that the gRPC writers leave out a
// pair gRPC would refuse even when one reaches them.
func TestWriteMDSkipsRefusedPairs(t *testing.T) {
	o := outgoing{raw: []rawField{
		{name: "X-Datadog-A!b", value: "1"},
		{name: "sw8", value: "a\tb"},
		{name: "x-datadog-ok", value: "caf\u00e9"},
		{name: "grpc-trace-bin", value: "\x00\x01\t", bin: true},
		{name: "X-Datadog-Trace-Id", value: "123"},
	}}
	o.add(hBaggage, cBaggage, "k=v\tw")
	o.add(hRequestID, cRequestID, "r1")
	md := metadata.MD{}
	o.writeMD(md)
	mc := propagation.MapCarrier{}
	o.writeCarrier(mc)
	want := map[string]string{"grpc-trace-bin": "\x00\x01\t", "x-datadog-trace-id": "123", "x-request-id": "r1"}
	assert.Len(t, md, len(want))
	assert.Len(t, mc, len(want))
	for k, v := range want {
		assert.Equal(t, []string{v}, md.Get(k), k)
		assert.Equal(t, v, mc.Get(k), k)
	}
}
