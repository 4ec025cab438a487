// Package gateway is the demo's user-facing service: HTTPS for users, who
// authenticate with a bearer token, and gRPC over SPIFFE mutual TLS to the
// orders service, on the user's behalf.
package gateway

import (
	"crypto/tls"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/examples/demo/internal/required"
	"github.com/ztkit/ztkit/examples/internal/ordersapi"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/tracing"
)

// DefaultPolicy lets any user with a verified token place orders.
//
//go:embed policy.yaml
var DefaultPolicy []byte

// Config is what the gateway is built from.
type Config struct {
	Addr       string
	TLS        *tls.Config // the user-facing certificate
	Source     mtls.Source
	OrdersAddr string
	OrdersID   spiffeid.ID
	Verifier   *jwtauth.Verifier // verifies user tokens
	Authorizer *authz.Authorizer // decides on peer ID, claims and operation
	Logger     *slog.Logger
	Tracing    *tracing.Forwarder // in edge mode: callers are untrusted
}

// Service is the gateway's HTTPS server and its connection to orders.
type Service struct {
	*http.Server
	orders *grpc.ClientConn
}

// New builds the gateway. Users' requests pass, outermost first: edge
// tracing (a new trace, caller's baggage dropped), access log, token
// verification, authorisation, then the handler, which calls orders.
func New(cfg Config) (*Service, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	dial := append([]grpc.DialOption{
		grpc.WithTransportCredentials(mtls.ClientCredentials(cfg.Source, mtls.AuthorizeID(cfg.OrdersID))),
		grpc.WithPerRPCCredentials(jwtauth.PerRPCCredentials(jwtauth.ForwardedToken())),
	}, cfg.Tracing.DialOptions()...)
	conn, err := grpc.NewClient(cfg.OrdersAddr, dial...)
	if err != nil {
		return nil, fmt.Errorf("gateway: orders client: %w", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/orders", placeOrder(conn))
	var h http.Handler = mux
	h = authz.Middleware(cfg.Authorizer)(h)
	h = jwtauth.Middleware(cfg.Verifier)(h)
	h = logging.AccessLog(cfg.Logger)(h)
	h = cfg.Tracing.Middleware(h)

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		TLSConfig:         cfg.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return &Service{Server: srv, orders: conn}, nil
}

// Close stops the server and the connection to orders.
func (s *Service) Close() error {
	err := s.Server.Close()
	_ = s.orders.Close()
	return err
}

func placeOrder(conn *grpc.ClientConn) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		item := r.URL.Query().Get("item")
		traceID := trace.SpanContextFromContext(r.Context()).TraceID().String()
		order, err := ordersapi.PlaceOrder(r.Context(), conn, item)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			code := status.Code(err)
			w.WriteHeader(httpStatus(code))
			_ = json.NewEncoder(w).Encode(map[string]string{"error": code.String(), "trace_id": traceID})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"order": order.AsMap(), "trace_id": traceID})
	}
}

// httpStatus maps the orders service's answer to what the user sees,
// without passing on its detail.
func httpStatus(c codes.Code) int {
	switch c {
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.InvalidArgument:
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// check names every required field that is missing.
func (cfg Config) check() error {
	return required.Check("gateway",
		required.Field{Name: "TLS", Set: cfg.TLS != nil},
		required.Field{Name: "Source", Set: cfg.Source != nil},
		required.Field{Name: "Verifier", Set: cfg.Verifier != nil},
		required.Field{Name: "Authorizer", Set: cfg.Authorizer != nil},
		required.Field{Name: "Logger", Set: cfg.Logger != nil},
		required.Field{Name: "Tracing", Set: cfg.Tracing != nil},
	)
}
