package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc/metadata"
)

func benchIncoming() http.Header {
	return hdr("traceparent", tpIn, "tracestate", "rojo=00f067aa0ba902b7", "baggage", bagIn,
		"x-request-id", "req-1", "x-b3-traceid", tid, "x-b3-spanid", sid, "x-b3-sampled", "1",
		"Content-Type", "application/json", "User-Agent", "client/1.0")
}

// BenchmarkHTTPHop serves a request through Middleware and sends the
// outgoing request through Transport (to a base that does nothing).
func BenchmarkHTTPHop(b *testing.B) {
	f, err := New()
	if err != nil {
		b.Fatal(err)
	}
	rt := f.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil }))
	h := f.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		out, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://127.0.0.1/", nil)
		_, _ = rt.RoundTrip(out)
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header = benchIncoming()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(nil, r)
	}
}

// BenchmarkGRPCOutgoing measures extracting gRPC metadata and building the
// outgoing metadata of one call.
func BenchmarkGRPCOutgoing(b *testing.B) {
	f, err := New()
	if err != nil {
		b.Fatal(err)
	}
	lower := metadata.MD{} // Set lower-cases keys, as gRPC delivers them
	for k, v := range benchIncoming() {
		lower.Set(k, v...)
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx := f.extractMD(context.Background(), lower)
		_ = f.outgoingContext(f.serve(ctx))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
