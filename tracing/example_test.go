package tracing_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/tracing"
)

// A service forwards the trace of the request it serves to the call it
// makes, here to a backend that prints what it received.
func Example() {
	backend := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		fmt.Println("traceparent:", r.Header.Get("traceparent"))
		fmt.Println("b3:", r.Header.Get("b3"))
		fmt.Println("x-request-id:", r.Header.Get("x-request-id"))
	}))
	defer backend.Close()

	client := &http.Client{Transport: tracing.Transport(nil)}
	service := tracing.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, backend.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}))

	in := httptest.NewRequest(http.MethodGet, "/", nil)
	in.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	in.Header.Set("x-request-id", "req-1")
	service.ServeHTTP(httptest.NewRecorder(), in)
	// Output:
	// traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	// b3: 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1
	// x-request-id: req-1
}

// The extracted trace context and request id are in the request context,
// where logs and other code read them through the OpenTelemetry API.
func ExampleRequestIDFromContext() {
	h := tracing.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		id, _ := tracing.RequestIDFromContext(r.Context())
		sc := trace.SpanContextFromContext(r.Context())
		fmt.Println(id, sc.TraceID(), sc.IsRemote())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")
	r.Header.Set("x-request-id", "req-2")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: req-2 4bf92f3577b34da6a3ce929d0e0e4736 true
}

// An edge service restarts the trace and drops the caller's baggage.
func ExampleWithEdge() {
	f, err := tracing.New(tracing.WithEdge())
	if err != nil {
		fmt.Println(err)
		return
	}
	h := f.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sc := trace.SpanContextFromContext(r.Context())
		fmt.Println(sc.IsValid(), sc.TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736")
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	r.Header.Set("baggage", "user=mallory")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: true false
}

// Spans are recorded through an SDK provider that Setup builds; its
// Shutdown flushes them to the OTLP collector.
func ExampleSetup() {
	ctx := context.Background()
	tp, err := tracing.Setup(ctx, tracing.Config{
		ServiceName: "orders",
		Protocol:    tracing.ProtocolGRPC,
		Endpoint:    "http://127.0.0.1:4317",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = tp.Shutdown(ctx) }()
	f, err := tracing.New(tracing.WithSpans(tp))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = f.Middleware(http.NotFoundHandler())
	fmt.Println("ready")
	// Output: ready
}
