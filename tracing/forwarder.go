package tracing

import (
	"errors"
	"maps"
	"slices"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Forwarder extracts trace context and forwardable headers from incoming
// HTTP requests and gRPC calls, and injects them into the outgoing calls made
// with that context. It is safe for concurrent use; build one with New and
// share it between a service's server and clients.
type Forwarder struct {
	formats    formats
	edge, link bool
	tp         trace.TracerProvider
	maxValue   int
	maxHeaders int
	kinds      map[string]kind // lower-case header name -> what it is
	fields     []string
}

// New returns a Forwarder configured by opts. With none it extracts and
// injects the propagators OTEL_PROPAGATORS names (all of tracecontext,
// baggage, b3, b3multi and jaeger when unset), forwards the vendor headers
// raw, starts no span and trusts callers' context.
func New(opts ...Option) (*Forwarder, error) {
	f := &Forwarder{formats: envFormats(), maxValue: DefaultMaxValueBytes, maxHeaders: DefaultMaxHeaders}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, errors.New("tracing: nil Option"))
			continue
		}
		if err := o(f); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	f.build()
	return f, nil
}

// defaultForwarder is New with no options, which cannot fail.
func defaultForwarder() *Forwarder {
	f, _ := New()
	return f
}

// kind says what a header is to the Forwarder.
type kind uint8

const (
	kNone kind = iota
	kTraceparent
	kTracestate
	kBaggage
	kB3
	kB3TraceID
	kB3SpanID
	kB3Parent
	kB3Sampled
	kB3Flags
	kUber
	kRequestID
	kRaw    // forwarded as received
	kRawBin // forwarded as received, binary in gRPC and base64 in HTTP
)

// rawPrefix begins the names of more vendor headers forwarded as received.
const rawPrefix = "x-datadog-"

func (f *Forwarder) build() {
	f.kinds = make(map[string]kind, 24)
	// The vendor headers forwarded as received, from Istio's list.
	for _, h := range [...]string{"x-ot-span-context", "x-cloud-trace-context", "sw8", "sw8-correlation", "sw8-x"} {
		f.kinds[h] = kRaw
	}
	f.kinds[hGRPCTrace] = kRawBin
	f.kinds[hRequestID] = kRequestID
	tc, b3, uber := kRaw, kRaw, kRaw
	if f.formats&fTraceContext != 0 {
		tc = kTraceparent
	}
	if f.formats&fB3 != 0 {
		b3 = kB3
	}
	if f.formats&fJaeger != 0 {
		uber = kUber
	}
	f.kinds[hTraceparent], f.kinds[hTracestate] = tc, tc
	if tc != kRaw {
		f.kinds[hTracestate] = kTracestate
	}
	f.kinds[hUber] = uber
	for i, h := range [...]string{hB3, hB3TraceID, hB3SpanID, hB3Parent, hB3Sampled, hB3Flags} {
		f.kinds[h] = b3
		if b3 != kRaw {
			f.kinds[h] = kB3 + kind(i)
		}
	}
	if f.formats&fBaggage != 0 {
		f.kinds[hBaggage] = kBaggage
	}
	f.fields = slices.Sorted(maps.Keys(f.kinds))
}

// Propagator returns the Forwarder as an OpenTelemetry TextMapPropagator,
// for instrumentation that takes one (otelhttp, otelgrpc, or
// otel.SetTextMapPropagator when a program wants it global).
func (f *Forwarder) Propagator() propagation.TextMapPropagator { return propagator{f} }
