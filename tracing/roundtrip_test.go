package tracing

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	tid     = "4bf92f3577b34da6a3ce929d0e0e4736"
	sid     = "00f067aa0ba902b7"
	parent  = "b7ad6b7169203331"
	bagIn   = "userId=alice"
	tpIn    = "00-" + tid + "-" + sid + "-01"
	uberOut = tid + ":" + sid + ":0:1"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// TestChainEveryFormat sends each trace format through HTTP -> gRPC -> HTTP,
// unary and streaming, with no SDK: every hop sees the caller's span
// context, and every outgoing call carries it in every format.
func TestChainEveryFormat(t *testing.T) {
	f, err := New(WithPropagators(TraceContext, Baggage, B3, B3Multi, Jaeger))
	require.NoError(t, err)
	ch := newChain(t, f, f)
	formats := map[string]http.Header{
		"tracecontext": hdr("traceparent", tpIn, "tracestate", "rojo=00f067aa0ba902b7", "baggage", bagIn),
		"b3":           hdr("b3", tid+"-"+sid+"-1-"+parent, "baggage", bagIn),
		"b3multi": hdr("x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-sampled", "1",
			"x-b3-parentspanid", parent, "baggage", bagIn),
		"jaeger": hdr("uber-trace-id", tid+":"+sid+":0:1", "baggage", bagIn),
	}
	for name, in := range formats {
		for _, path := range []string{"/unary", "/stream"} {
			t.Run(name+path, func(t *testing.T) {
				in.Set("x-request-id", "req-"+name)
				a, b, c := ch.run(t, path, in)
				for hop, s := range map[string]seen{"A": a, "B": b, "C": c} {
					assert.Equal(t, tid, s.sc.TraceID().String(), hop)
					assert.Equal(t, sid, s.sc.SpanID().String(), hop)
					assert.True(t, s.sc.IsSampled(), hop)
					assert.True(t, s.sc.IsRemote(), hop)
					assert.Equal(t, bagIn, s.bag, hop)
					assert.Equal(t, "req-"+name, s.requestID, hop)
				}
				assert.Equal(t, tpIn, b.md.Get("traceparent")[0])
				assert.Equal(t, tid, b.md.Get("x-b3-traceid")[0])
				assert.Equal(t, uberOut, b.md.Get("uber-trace-id")[0])
				assert.Equal(t, "req-"+name, b.md.Get("x-request-id")[0])
				assert.Equal(t, tpIn, c.header.Get("traceparent"))
				assert.Equal(t, tid+"-"+sid+"-1", c.header.Get("b3"))
				assert.Equal(t, tid, c.header.Get("x-b3-traceid"))
				assert.Equal(t, sid, c.header.Get("x-b3-spanid"))
				assert.Equal(t, "1", c.header.Get("x-b3-sampled"))
				assert.Equal(t, uberOut, c.header.Get("uber-trace-id"))
				assert.Equal(t, bagIn, c.header.Get("baggage"))
				assert.Equal(t, "req-"+name, c.header.Get("x-request-id"))
				if name == "tracecontext" {
					assert.Equal(t, "rojo=00f067aa0ba902b7", c.header.Get("tracestate"))
				}
				if name == "b3" || name == "b3multi" {
					assert.Equal(t, parent, c.header.Get("x-b3-parentspanid"))
				}
			})
		}
	}
}

// TestChainRawHeaders forwards the vendor headers unchanged across the
// chain, including grpc-trace-bin, which is binary in gRPC metadata and
// base64 in HTTP.
func TestChainRawHeaders(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	ch := newChain(t, f, f)
	bin := base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xfe, 0xff, 'x'})
	in := hdr(
		"traceparent", tpIn,
		"x-ot-span-context", "a;b;c",
		"x-cloud-trace-context", tid+"/1;o=1",
		"grpc-trace-bin", bin,
		"sw8", "1-MTIz-NDU2-0-c2Vydg==-aW5zdA==-L2FwaQ==-aG9zdA==",
		"x-datadog-trace-id", "1234567890",
		"x-datadog-parent-id", "987654321",
		"x-datadog-sampling-priority", "1",
	)
	for _, path := range []string{"/unary", "/stream"} {
		_, b, c := ch.run(t, path, in)
		for k := range in {
			if k == "Grpc-Trace-Bin" {
				continue
			}
			assert.Equal(t, in.Get(k), c.header.Get(k), k)
		}
		got, err := base64.RawStdEncoding.DecodeString(c.header.Get("grpc-trace-bin"))
		require.NoError(t, err)
		assert.Equal(t, []byte{0, 1, 2, 0xfe, 0xff, 'x'}, got)
		assert.Equal(t, []string{string([]byte{0, 1, 2, 0xfe, 0xff, 'x'})}, b.md.Get("grpc-trace-bin"))
		assert.Equal(t, []string{"1234567890"}, b.md.Get("x-datadog-trace-id"))
		id := c.header.Get("x-request-id")
		assert.Len(t, id, 36, "a request id is generated at the first hop")
	}
}
