// Package tracing forwards distributed-tracing headers through a service,
// over HTTP and gRPC, with or without an OpenTelemetry SDK.
//
// Tracing only works when every service passes the trace headers it received
// on to the calls it makes; a mesh proxy cannot do that for the application.
// A Forwarder extracts them from each incoming call into its context and
// injects them into every outgoing call made with that context:
//
//   - W3C tracecontext (traceparent, tracestate) and baggage, B3 (single b3
//     header and x-b3-*) and Jaeger (uber-trace-id) are parsed, so the span
//     context is visible through the OpenTelemetry API
//     (trace.SpanContextFromContext) even when no SDK is installed, and
//     re-emitted in every configured format. The set defaults to what
//     OTEL_PROPAGATORS names, or all of them.
//   - Vendor headers (x-ot-span-context, x-cloud-trace-context,
//     grpc-trace-bin, sw8, x-datadog-*, and the headers of any format left
//     out of the set) are forwarded as received.
//   - x-request-id is forwarded, or generated (a random UUID) when absent or
//     not 1 to 128 visible ASCII characters, and readable with
//     RequestIDFromContext (and by the access log).
//
// The happy path, for a service that serves HTTP and calls others:
//
//	handler := tracing.Middleware(mux)
//	client := &http.Client{Transport: tracing.Transport(nil)}
//	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(tracing.UnaryServerInterceptor()))
//
// The package-level functions use the default Forwarder. For anything else
// build one with New and functional options, and use its methods:
//
//	tp, err := tracing.Setup(ctx, tracing.Config{ServiceName: "orders"})
//	defer tp.Shutdown(ctx) // flushes spans
//	f, err := tracing.New(tracing.WithSpans(tp))
//	grpc.NewServer(f.ServerOptions()...)
//
// Without WithSpans no span is started: the incoming context goes out
// unchanged, so the next hop continues the same trace. With it every call
// gets a child span, through the otelhttp and otelgrpc instrumentation (on
// gRPC via the stats handlers in ServerOptions and DialOptions).
//
// # Security defaults
//
// Trace headers are forwarded, never trusted for a security decision.
// Malformed values (a traceparent that breaks the W3C grammar, an invalid B3
// or Jaeger id, unparsable baggage, values with control characters, tabs
// included, or non-ASCII characters, invalid base64 in grpc-trace-bin) are
// dropped and never forwarded, and so are vendor headers whose names gRPC
// refuses as metadata keys (anything but letters, digits, '-', '_' and '.'):
// one caller's header can never make a downstream gRPC call fail. A bad
// header is never an error to the caller. Each value is
// bounded to DefaultMaxValueBytes and each call forwards at most
// DefaultMaxHeaders raw vendor headers (WithHeaderLimits). A service that
// faces untrusted callers uses WithEdge: it drops incoming baggage, trace
// context, request id and vendor headers and starts a new trace, optionally
// linking the caller's span (WithEdgeLink) when spans are recorded.
//
// Nothing global is read or changed: OpenTelemetry's global propagator and
// tracer provider are left alone unless Config.Global asks Setup to set
// them.
package tracing
