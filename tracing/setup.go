package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OTLP protocols, as OTEL_EXPORTER_OTLP_PROTOCOL spells them.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Config configures Setup. Empty fields fall back to the standard OTEL_*
// environment variables, then to OpenTelemetry's defaults.
type Config struct {
	// ServiceName and ServiceVersion become the service.name and
	// service.version resource attributes. Empty: OTEL_SERVICE_NAME and
	// OTEL_RESOURCE_ATTRIBUTES.
	ServiceName, ServiceVersion string
	// Protocol is ProtocolGRPC or ProtocolHTTP. Empty:
	// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, else
	// ProtocolHTTP.
	Protocol string
	// Endpoint is the collector's URL, such as http://127.0.0.1:4318 (an
	// http scheme sends in clear text; an HTTP URL without a path gets
	// /v1/traces). Empty: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
	// OTEL_EXPORTER_OTLP_ENDPOINT, else the local collector.
	Endpoint string
	// Headers are sent with every export, such as an API key. Empty:
	// OTEL_EXPORTER_OTLP_(TRACES_)HEADERS.
	Headers map[string]string
	// Sampler decides which root spans are recorded. Nil: OTEL_TRACES_SAMPLER
	// and OTEL_TRACES_SAMPLER_ARG, else parent-based always-on.
	Sampler sdktrace.Sampler
	// Exporter, when set, replaces the OTLP exporter (and OTEL_TRACES_EXPORTER).
	Exporter sdktrace.SpanExporter
	// Global installs the provider and the default Forwarder's propagator as
	// OpenTelemetry's global TracerProvider and TextMapPropagator.
	Global bool
}

// Setup returns an OpenTelemetry SDK TracerProvider that batches spans to an
// OTLP exporter (or cfg.Exporter) with the service's resource and sampler.
// Pass it to WithSpans; its Shutdown flushes pending spans and stops the
// exporter. Nothing global changes unless cfg.Global is set.
func Setup(ctx context.Context, cfg Config) (*sdktrace.TracerProvider, error) {
	exp, err := cfg.exporter(ctx)
	if err != nil {
		return nil, err
	}
	var attrs []attribute.KeyValue
	if cfg.ServiceName != "" {
		attrs = append(attrs, attribute.String("service.name", cfg.ServiceName))
	}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", cfg.ServiceVersion))
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if res == nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	// A malformed OTEL_RESOURCE_ATTRIBUTES still leaves the rest usable.
	if merged, mErr := resource.Merge(resource.Default(), res); mErr == nil {
		res = merged
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exp != nil {
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	if cfg.Sampler != nil {
		opts = append(opts, sdktrace.WithSampler(cfg.Sampler))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	if cfg.Global {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(defaultForwarder().Propagator())
	}
	return tp, nil
}

// exporter builds the configured exporter; nil means OTEL_TRACES_EXPORTER
// said none.
func (cfg Config) exporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	if cfg.Exporter != nil {
		return cfg.Exporter, nil
	}
	var errs []error
	switch e := strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")); e {
	case "", "otlp":
	case "none":
		return nil, nil
	default:
		errs = append(errs, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER %q is not supported (otlp, none)", e))
	}
	proto := firstNonEmpty(cfg.Protocol, os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"), ProtocolHTTP)
	if proto != ProtocolGRPC && proto != ProtocolHTTP {
		errs = append(errs, fmt.Errorf("tracing: Config.Protocol %q is not %q or %q", proto, ProtocolGRPC, ProtocolHTTP))
	}
	var u *url.URL
	if cfg.Endpoint != "" {
		var err error
		if u, err = url.Parse(cfg.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("tracing: Config.Endpoint %q is not an http or https URL", cfg.Endpoint))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if proto == ProtocolGRPC {
		var opts []otlptracegrpc.Option
		if u != nil {
			opts = append(opts, otlptracegrpc.WithEndpointURL(u.String()))
		}
		if cfg.Headers != nil {
			opts = append(opts, otlptracegrpc.WithHeaders(cfg.Headers))
		}
		return otlptracegrpc.New(ctx, opts...)
	}
	var opts []otlptracehttp.Option
	if u != nil {
		if u.Path == "" {
			u.Path = "/v1/traces"
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	}
	if cfg.Headers != nil {
		opts = append(opts, otlptracehttp.WithHeaders(cfg.Headers))
	}
	return otlptracehttp.New(ctx, opts...)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
