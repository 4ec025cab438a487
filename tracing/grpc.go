package tracing

import (
	"context"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/metric/noop"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// UnaryServerInterceptor is New().UnaryServerInterceptor.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return defaultForwarder().UnaryServerInterceptor()
}

// StreamServerInterceptor is New().StreamServerInterceptor.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return defaultForwarder().StreamServerInterceptor()
}

// UnaryClientInterceptor is New().UnaryClientInterceptor.
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return defaultForwarder().UnaryClientInterceptor()
}

// StreamClientInterceptor is New().StreamClientInterceptor.
func StreamClientInterceptor() grpc.StreamClientInterceptor {
	return defaultForwarder().StreamClientInterceptor()
}

// serverContext extracts from the incoming metadata unless a stats handler
// using the Forwarder's propagator already did.
func (f *Forwarder) serverContext(ctx context.Context) context.Context {
	if _, done := stateFrom(ctx); !done {
		md, _ := metadata.FromIncomingContext(ctx)
		ctx = f.extractMD(ctx, md)
	}
	return f.serve(ctx)
}

// UnaryServerInterceptor returns an interceptor that records the incoming
// trace context, baggage, x-request-id (generated when absent) and
// forwardable headers of each call in its context.
func (f *Forwarder) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		return h(f.serverContext(ctx), req)
	}
}

// StreamServerInterceptor is the streaming form of UnaryServerInterceptor.
func (f *Forwarder) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		return h(srv, &serverStream{ServerStream: ss, ctx: f.serverContext(ss.Context())})
	}
}

type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }

// outgoingContext returns ctx with the forwarded headers set in its outgoing
// metadata, replacing values of the same names.
func (f *Forwarder) outgoingContext(ctx context.Context) context.Context {
	var o outgoing
	f.gather(ctx, &o)
	if o.n == 0 && len(o.raw) == 0 {
		return ctx
	}
	md, ok := metadata.FromOutgoingContext(ctx)
	if !ok {
		md = make(metadata.MD, o.n+len(o.raw))
	}
	o.writeMD(md)
	return metadata.NewOutgoingContext(ctx, md)
}

// UnaryClientInterceptor returns an interceptor that sends the trace
// headers, baggage, x-request-id and forwarded headers of each call's
// context as metadata.
func (f *Forwarder) UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, inv grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return inv(f.outgoingContext(ctx), method, req, reply, cc, opts...)
	}
}

// StreamClientInterceptor is the streaming form of UnaryClientInterceptor.
func (f *Forwarder) StreamClientInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, s grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		return s(f.outgoingContext(ctx), desc, cc, method, opts...)
	}
}

// ServerOptions returns the server options that install the Forwarder: its
// interceptors, chained so that other grpc.ChainUnaryInterceptor options
// compose with them, and with WithSpans the otelgrpc stats handler that
// starts a server span per call.
func (f *Forwarder) ServerOptions() []grpc.ServerOption {
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(f.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(f.StreamServerInterceptor()),
	}
	if f.tp != nil {
		o := []otelgrpc.Option{
			otelgrpc.WithTracerProvider(f.tp),
			otelgrpc.WithMeterProvider(noop.NewMeterProvider()),
			otelgrpc.WithPropagators(f.Propagator()),
		}
		if f.edge {
			o = append(o, otelgrpc.WithPublicEndpoint())
		}
		opts = append(opts, grpc.StatsHandler(otelgrpc.NewServerHandler(o...)))
	}
	return opts
}

// DialOptions returns the dial options that install the Forwarder's client
// interceptors and, with WithSpans, the otelgrpc stats handler that starts a
// client span per call.
func (f *Forwarder) DialOptions() []grpc.DialOption {
	opts := []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(f.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(f.StreamClientInterceptor()),
	}
	if f.tp != nil {
		opts = append(opts, grpc.WithStatsHandler(otelgrpc.NewClientHandler(
			otelgrpc.WithTracerProvider(f.tp),
			otelgrpc.WithMeterProvider(noop.NewMeterProvider()),
			otelgrpc.WithPropagators(f.Propagator()),
		)))
	}
	return opts
}
