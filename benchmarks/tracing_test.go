package benchmarks

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/ztkit/ztkit/tracing"
)

// tracingHeader is a request as it reaches a service inside a mesh: W3C
// trace context and baggage, the B3 headers a Zipkin-configured proxy adds,
// a request id, and ordinary headers.
func tracingHeader() http.Header {
	h := http.Header{}
	h.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.Set("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
	h.Set("baggage", "userId=alice,serverNode=DF%2028,isProduction=false")
	h.Set("x-request-id", "7f1c6f0e-8a39-4d0b-9a64-2b0b1c7f3e21")
	h.Set("x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736")
	h.Set("x-b3-spanid", "00f067aa0ba902b7")
	h.Set("x-b3-sampled", "1")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "client/1.0")
	h.Set("Accept", "*/*")
	return h
}

// tracingPropagators are the pair under comparison: ztkit's full default
// set (tracecontext, baggage, b3, b3multi, jaeger, raw vendor headers and
// x-request-id) and OpenTelemetry's TraceContext+Baggage composite alone.
func tracingPropagators(tb testing.TB) map[string]propagation.TextMapPropagator {
	tb.Helper()
	f, err := tracing.New(tracing.WithPropagators(tracing.TraceContext, tracing.Baggage, tracing.B3, tracing.B3Multi, tracing.Jaeger))
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]propagation.TextMapPropagator{
		"ztkit": f.Propagator(),
		"otel":  propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}
}

// forward is one hop: extract from the incoming header, inject into a new
// outgoing one.
func forward(p propagation.TextMapPropagator, in http.Header) http.Header {
	ctx := p.Extract(context.Background(), propagation.HeaderCarrier(in))
	out := http.Header{}
	p.Inject(ctx, propagation.HeaderCarrier(out))
	return out
}

func TestTracingPairsAgree(t *testing.T) {
	ps := tracingPropagators(t)
	in := tracingHeader()
	z, o := forward(ps["ztkit"], in), forward(ps["otel"], in)
	for _, h := range []string{"traceparent", "tracestate"} {
		if z.Get(h) != o.Get(h) || z.Get(h) == "" {
			t.Errorf("%s: ztkit %q, otel %q", h, z.Get(h), o.Get(h))
		}
	}
	// Baggage members may come out in any order: compare them parsed.
	zb, zerr := baggage.Parse(z.Get("baggage"))
	ob, oerr := baggage.Parse(o.Get("baggage"))
	if zerr != nil || oerr != nil || zb.Len() != 3 || zb.Len() != ob.Len() {
		t.Fatalf("baggage: ztkit %q (%v), otel %q (%v)", z.Get("baggage"), zerr, o.Get("baggage"), oerr)
	}
	for _, m := range ob.Members() {
		if zb.Member(m.Key()).Value() != m.Value() {
			t.Errorf("baggage %s: ztkit %q, otel %q", m.Key(), zb.Member(m.Key()).Value(), m.Value())
		}
	}
	if got := z.Get("x-request-id"); got != in.Get("x-request-id") {
		t.Errorf("x-request-id: ztkit forwarded %q", got)
	}
}

func BenchmarkTracingForward(b *testing.B) {
	ps := tracingPropagators(b)
	in := tracingHeader()
	for _, name := range []string{"otel", "ztkit"} {
		b.Run(name, func(b *testing.B) {
			p := ps[name]
			b.ReportAllocs()
			for b.Loop() {
				_ = forward(p, in)
			}
		})
	}
}
