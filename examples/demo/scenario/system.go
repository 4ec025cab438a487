// Package scenario starts the demo's whole system in-process (a SPIFFE dev
// agent, a token service, the gateway, orders and inventory services) and
// runs the scripted scenario against it.
package scenario

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/examples/demo/gateway"
	"github.com/ztkit/ztkit/examples/demo/internal/devcert"
	"github.com/ztkit/ztkit/examples/demo/inventory"
	"github.com/ztkit/ztkit/examples/demo/orders"
	"github.com/ztkit/ztkit/examples/demo/tokens"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
	"github.com/ztkit/ztkit/tracing"
)

// Audience is what the demo's user tokens are issued for.
const Audience = "ztkit-demo"

// The demo's workloads.
var (
	GatewayID   = spiffeid.RequireFromString("spiffe://example.org/gateway")
	OrdersID    = spiffeid.RequireFromString("spiffe://example.org/orders")
	InventoryID = spiffeid.RequireFromString("spiffe://example.org/inventory")
	ImpostorID  = spiffeid.RequireFromString("spiffe://example.org/impostor")
)

// Options configures Start.
type Options struct {
	LogDir  string        // where the services write their log files
	SVIDTTL time.Duration // X.509-SVID lifetime (default 1h)
}

// System is the running demo.
type System struct {
	Agent        *devagent.Agent
	Tokens       *tokens.Service
	LogDir       string
	GatewayURL   string
	InventoryURL string
	OrdersAddr   string
	GatewayCert  *devcert.Cert

	sources map[spiffeid.ID]*mtls.WorkloadAPISource
	loggers map[string]*logging.Logger
	closers []func() error // in reverse order of start
}

// Start brings the system up on 127.0.0.1 with free ports.
func Start(ctx context.Context, opts Options) (_ *System, err error) {
	s := &System{LogDir: opts.LogDir, sources: map[spiffeid.ID]*mtls.WorkloadAPISource{}, loggers: map[string]*logging.Logger{}}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	if s.Agent, err = devagent.Start(ctx, devagent.Config{TrustDomain: "example.org", SVIDTTL: opts.SVIDTTL}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Agent.Close)
	for _, id := range []spiffeid.ID{GatewayID, OrdersID, InventoryID, ImpostorID} {
		addr, err := s.Agent.Socket(id)
		if err != nil {
			return nil, err
		}
		src, err := mtls.NewWorkloadAPISource(ctx, mtls.WithAddr(addr))
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, src.Close)
		s.sources[id] = src
	}
	if s.Tokens, err = tokens.Start(Audience); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Tokens.Close)

	listeners := map[string]net.Listener{}
	for _, name := range []string{"gateway", "orders", "inventory"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, ignoreClosed(ln.Close))
		listeners[name] = ln
	}
	s.GatewayURL = "https://" + listeners["gateway"].Addr().String()
	s.InventoryURL = "https://" + listeners["inventory"].Addr().String()
	s.OrdersAddr = listeners["orders"].Addr().String()

	if err := s.startInventory(ctx, listeners["inventory"]); err != nil {
		return nil, err
	}
	if err := s.startOrders(ctx, listeners["orders"]); err != nil {
		return nil, err
	}
	if err := s.startGateway(ctx, listeners["gateway"]); err != nil {
		return nil, err
	}
	return s, nil
}

// service is what every service gets: a sanitising file logger, a token
// verifier for the demo's users and a trace header forwarder.
type service struct {
	logger   *slog.Logger
	verifier *jwtauth.Verifier
	tracing  *tracing.Forwarder
	authz    *authz.Authorizer
}

func (s *System) newService(ctx context.Context, name string, policy []byte, tracingOpts ...tracing.Option) (*service, error) {
	logger, err := logging.New(logging.Config{
		File:    logging.FileOptions{Path: filepath.Join(s.LogDir, name+".log")},
		Handler: logging.HandlerOptions{Service: name, Version: "demo"},
	})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, logger.Close)
	s.loggers[name] = logger

	verifier, err := jwtauth.NewVerifier(ctx, jwtauth.Config{
		Issuers: []jwtauth.Issuer{{
			Issuer:    s.Tokens.Issuer(),
			Audiences: []string{Audience},
			Keys:      jwtauth.OIDCDiscovery(),
			Type:      "at+jwt",
		}},
		HTTPClient: &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: s.Tokens.RootCAs()},
		}},
		Logger: logger.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.closers = append(s.closers, verifier.Close)

	fwd, err := tracing.New(tracingOpts...)
	if err != nil {
		return nil, err
	}
	p, err := authz.ParsePolicy(policy)
	if err != nil {
		return nil, fmt.Errorf("%s policy: %w", name, err)
	}
	a, err := authz.New(p, authz.WithLogger(logger.Logger))
	if err != nil {
		return nil, err
	}
	return &service{logger: logger.Logger, verifier: verifier, tracing: fwd, authz: a}, nil
}

func (s *System) startInventory(ctx context.Context, ln net.Listener) error {
	svc, err := s.newService(ctx, "inventory", inventory.DefaultPolicy)
	if err != nil {
		return err
	}
	srv, err := inventory.New(inventory.Config{
		Source: s.sources[InventoryID], TrustDomain: s.Agent.TrustDomain(),
		Verifier: svc.verifier, Authorizer: svc.authz, Logger: svc.logger, Tracing: svc.tracing,
	})
	if err != nil {
		return err
	}
	srv.ErrorLog = slog.NewLogLogger(svc.logger.Handler(), slog.LevelWarn)
	s.serve(func() error { return srv.ServeTLS(ln, "", "") }, srv.Close)
	return nil
}

func (s *System) startOrders(ctx context.Context, ln net.Listener) error {
	svc, err := s.newService(ctx, "orders", orders.DefaultPolicy)
	if err != nil {
		return err
	}
	srv, err := orders.New(orders.Config{
		Source: s.sources[OrdersID], GatewayID: GatewayID, InventoryURL: s.InventoryURL, InventoryID: InventoryID,
		Verifier: svc.verifier, Authorizer: svc.authz, Logger: svc.logger, Tracing: svc.tracing,
	})
	if err != nil {
		return err
	}
	s.serve(func() error { return srv.Serve(ln) }, func() error { srv.Stop(); return nil })
	return nil
}

func (s *System) startGateway(ctx context.Context, ln net.Listener) error {
	svc, err := s.newService(ctx, "gateway", gateway.DefaultPolicy, tracing.WithEdge())
	if err != nil {
		return err
	}
	if s.GatewayCert, err = devcert.New("ztkit demo gateway"); err != nil {
		return err
	}
	srv, err := gateway.New(gateway.Config{
		TLS: s.GatewayCert.ServerConfig(), Source: s.sources[GatewayID], OrdersAddr: s.OrdersAddr, OrdersID: OrdersID,
		Verifier: svc.verifier, Authorizer: svc.authz, Logger: svc.logger, Tracing: svc.tracing,
	})
	if err != nil {
		return err
	}
	srv.ErrorLog = slog.NewLogLogger(svc.logger.Handler(), slog.LevelWarn)
	s.serve(func() error { return srv.ServeTLS(ln, "", "") }, srv.Close)
	return nil
}

// serve runs a server until Close stops it.
func (s *System) serve(run func() error, stop func() error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = run()
	}()
	s.closers = append(s.closers, func() error {
		err := stop()
		<-done
		return ignoreClosedErr(err)
	})
}

// FlushLogs writes every service's buffered log records to its file.
func (s *System) FlushLogs() error {
	var errs []error
	for _, l := range s.loggers {
		errs = append(errs, l.File().Flush())
	}
	return errors.Join(errs...)
}

// Close stops everything in reverse order of start.
func (s *System) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

func ignoreClosed(f func() error) func() error {
	return func() error { return ignoreClosedErr(f()) }
}

func ignoreClosedErr(err error) error {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
