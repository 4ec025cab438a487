// Package orders is the demo's order service: gRPC over SPIFFE mutual TLS,
// with the full ztkit stack as interceptors. It reserves stock at inventory
// over HTTPS, forwarding the user's token and the trace headers.
package orders

import (
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/examples/demo/internal/required"
	"github.com/ztkit/ztkit/examples/internal/ordersapi"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/tracing"
)

// DefaultPolicy lets the gateway place orders for users with orders:write.
//
//go:embed policy.yaml
var DefaultPolicy []byte

// DemoPassword is what the service logs, on purpose, to show redaction.
const DemoPassword = "correct-horse-battery-staple"

// Config is what the orders service is built from.
type Config struct {
	Source       mtls.Source
	GatewayID    spiffeid.ID // the only workload that may connect
	InventoryURL string
	InventoryID  spiffeid.ID
	Verifier     *jwtauth.Verifier
	Authorizer   *authz.Authorizer // decides on peer ID, claims and operation
	Logger       *slog.Logger
	Tracing      *tracing.Forwarder
}

// Service is a built orders server and the client it calls inventory with.
type Service struct {
	*grpc.Server
	inventory *http.Client
}

// New returns the orders gRPC server. Interceptors run in the order DESIGN
// gives: trace extraction, access log, token verification, authorisation.
func New(cfg Config) (*Service, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	inventory := mtls.NewHTTPClient(cfg.Source, mtls.AuthorizeID(cfg.InventoryID))
	inventory.Transport = cfg.Tracing.Transport(jwtauth.Transport(inventory.Transport, jwtauth.ForwardedToken()))

	opts := append([]grpc.ServerOption{grpc.Creds(mtls.ServerCredentials(cfg.Source, mtls.AuthorizeID(cfg.GatewayID)))},
		cfg.Tracing.ServerOptions()...)
	opts = append(opts,
		grpc.ChainUnaryInterceptor(
			logging.UnaryServerInterceptor(cfg.Logger),
			jwtauth.UnaryServerInterceptor(cfg.Verifier),
			authz.UnaryServerInterceptor(cfg.Authorizer),
		),
		grpc.ChainStreamInterceptor(
			logging.StreamServerInterceptor(cfg.Logger),
			jwtauth.StreamServerInterceptor(cfg.Verifier),
			authz.StreamServerInterceptor(cfg.Authorizer),
		),
	)
	srv := grpc.NewServer(opts...)
	ordersapi.Register(srv, &handler{cfg: cfg, inventory: inventory})
	return &Service{Server: srv, inventory: inventory}, nil
}

// Stop stops the server and closes the connections to inventory.
func (s *Service) Stop() {
	s.Server.Stop()
	s.inventory.CloseIdleConnections()
}

type handler struct {
	cfg       Config
	inventory *http.Client
}

func (h *handler) PlaceOrder(ctx context.Context, req *structpb.Struct) (*structpb.Struct, error) {
	item := req.GetFields()["item"].GetStringValue()
	if item == "" {
		return nil, status.Error(codes.InvalidArgument, "item is required")
	}
	claims, _ := jwtauth.ClaimsFromContext(ctx)
	token, _ := jwtauth.ForwardedToken().Token(ctx)
	// A careless line, on purpose: the sanitising handler redacts both.
	h.cfg.Logger.InfoContext(ctx, "charging the demo payment provider",
		slog.String("user", claims.Subject()), slog.String("password", DemoPassword), slog.String("note", "Bearer "+token))

	reserved, err := h.reserve(ctx, item)
	if err != nil {
		return nil, err
	}
	return structpb.NewStruct(map[string]any{"item": item, "user": claims.Subject(), "reserved": reserved})
}

func (h *handler) reserve(ctx context.Context, item string) (float64, error) {
	u := h.cfg.InventoryURL + "/v1/reserve?item=" + url.QueryEscape(item)
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return 0, status.Error(codes.Internal, "building the inventory request")
	}
	resp, err := h.inventory.Do(httpReq)
	if err != nil {
		h.cfg.Logger.WarnContext(ctx, "inventory unreachable", slog.String("error", err.Error()))
		return 0, status.Error(codes.Unavailable, "inventory unreachable")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return 0, status.Errorf(codes.FailedPrecondition, "inventory answered %d", resp.StatusCode)
	}
	var out struct {
		Reserved float64 `json:"reserved"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return 0, status.Error(codes.Internal, "inventory answered with invalid JSON")
	}
	return out.Reserved, nil
}

// check names every required field that is missing.
func (cfg Config) check() error {
	return required.Check("orders",
		required.Field{Name: "Source", Set: cfg.Source != nil},
		required.Field{Name: "Verifier", Set: cfg.Verifier != nil},
		required.Field{Name: "Authorizer", Set: cfg.Authorizer != nil},
		required.Field{Name: "Logger", Set: cfg.Logger != nil},
		required.Field{Name: "Tracing", Set: cfg.Tracing != nil},
	)
}
