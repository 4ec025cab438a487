package tracing

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
)

// propagator adapts a Forwarder to propagation.TextMapPropagator.
type propagator struct{ f *Forwarder }

// Inject sets the trace context, baggage, request id and forwarded headers
// of ctx on carrier.
func (p propagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	var o outgoing
	p.f.gather(ctx, &o)
	if hc, ok := carrier.(propagation.HeaderCarrier); ok {
		o.writeHeader(http.Header(hc))
		return
	}
	o.writeCarrier(carrier)
}

// Extract returns ctx with the trace context, baggage, request id and
// forwardable headers carrier holds. Malformed values are left out.
func (p propagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	if hc, ok := carrier.(propagation.HeaderCarrier); ok {
		return p.f.extractHeader(ctx, http.Header(hc))
	}
	return p.f.extractCarrier(ctx, carrier)
}

// Fields returns the header names the propagator may set, besides the
// x-datadog-* family.
func (p propagator) Fields() []string { return append([]string(nil), p.f.fields...) }
