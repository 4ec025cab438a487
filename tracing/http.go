package tracing

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
)

// Middleware is New().Middleware: it serves next with the default Forwarder.
func Middleware(next http.Handler) http.Handler { return defaultForwarder().Middleware(next) }

// Transport is New().Transport: it forwards with the default Forwarder.
func Transport(base http.RoundTripper) http.RoundTripper { return defaultForwarder().Transport(base) }

// Middleware returns a handler that records the incoming trace context,
// baggage, x-request-id (generated when absent) and forwardable headers in
// the request context, then calls next. With WithSpans the request is served
// in a new server span.
func (f *Forwarder) Middleware(next http.Handler) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, done := stateFrom(ctx); !done {
			ctx = f.extractHeader(ctx, r.Header)
		}
		next.ServeHTTP(w, r.WithContext(f.serve(ctx)))
	})
	if f.tp == nil {
		return inner
	}
	opts := []otelhttp.Option{
		otelhttp.WithTracerProvider(f.tp),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithPropagators(f.Propagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	}
	if f.edge {
		opts = append(opts, otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }))
	}
	return otelhttp.NewHandler(inner, "", opts...)
}

// Transport returns an http.RoundTripper that sets the trace headers,
// baggage, x-request-id and forwarded headers of each request's context on
// it before calling base (http.DefaultTransport when nil). Headers of the
// same names already on the request are replaced; the caller's request is
// not modified. With WithSpans each request is made in a new client span.
func (f *Forwarder) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if f.tp != nil {
		base = otelhttp.NewTransport(base,
			otelhttp.WithTracerProvider(f.tp),
			otelhttp.WithMeterProvider(noop.NewMeterProvider()),
			otelhttp.WithPropagators(f.Propagator()),
		)
	}
	return &transport{f: f, base: base}
}

type transport struct {
	f    *Forwarder
	base http.RoundTripper
}

// RoundTrip sends a copy of req carrying the forwarded headers.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := *req
	out.Header = make(http.Header, len(req.Header)+12)
	for k, v := range req.Header {
		out.Header[k] = v
	}
	t.f.injectHeader(req.Context(), out.Header)
	return t.base.RoundTrip(&out)
}
