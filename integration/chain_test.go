package integration_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/integration/internal/harness"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
	"github.com/ztkit/ztkit/tracing"
)

// Seeded secrets: the services log them, and none may reach a log file or
// the Collector.
const (
	seededPassword    = "hunter2-correct-horse-battery"
	seededBearer      = "opaque-bearer-7f3a9c1e5b2d4f6a8c0e"
	seededDSNPassword = "s3cr3tDbPa55w0rd"
	seededSecretType  = "vault-unseal-key-5d1f0b7c"
	seededGitHubToken = "ghp_Zx8Yq2Wv4Ut6Sr8Qp0On2Ml4Kj6Ih8Gf0Edc"
	seededJWT         = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzcGlmZmU6Ly96dGtpdC50ZXN0L3Nob3AiLCJhdWQiOiJvcmRlcnMifQ.c2lnbmF0dXJlLWJ5dGVzLW5vdC1yZWFsLWJ1dC1sb25nLWVub3VnaA"
	seededQuery       = "qs-session-2b7e151628aed2a6"
)

var seededSecrets = []string{
	seededPassword, seededBearer, seededDSNPassword, seededSecretType, seededGitHubToken,
	seededJWT, seededJWT[:36], seededJWT[len(seededJWT)-30:], seededQuery,
}

// logSecrets logs what a careless handler would: credentials by key name,
// by value shape and by type.
func logSecrets(ctx context.Context, l *slog.Logger, service string) {
	l.InfoContext(ctx, service+" handled request; upstream token "+seededJWT,
		"password", seededPassword,
		"authorization", "Bearer "+seededBearer,
		"dsn", "postgres://app:"+seededDSNPassword+"@db.internal:5432/orders",
		"vault_key", logging.Secret(seededSecretType),
		"note", "deploy key "+seededGitHubToken,
	)
}

// chain is shop -> orders (HTTP) -> inventory (gRPC), all over mtls with
// SVIDs from a development agent. Each service has its own tracer provider
// exporting to the Collector (orders over OTLP/gRPC, the others over
// OTLP/HTTP) and its own log file in the Collector's filelog directory.
type chain struct {
	collector           *harness.Collector
	shopTP              *sdktrace.TracerProvider
	ordersTP, invTP     *sdktrace.TracerProvider
	ordersLog, invLog   *logging.Logger
	ordersFile, invFile string
	shop                *http.Client
	ordersURL           string
}

var shopID = id("/shop")

// inventoryService answers UnaryCall, logging like a careless service.
type inventoryService struct {
	testgrpc.UnimplementedTestServiceServer
	log *slog.Logger
}

func (s inventoryService) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	logSecrets(ctx, s.log, "inventory")
	peer, _ := mtls.PeerIDFromContext(ctx)
	return &testgrpc.SimpleResponse{Username: peer.String()}, nil
}

func newLogger(t *testing.T, path, service string) *logging.Logger {
	t.Helper()
	l, err := logging.New(logging.Config{
		File:    logging.FileOptions{Path: path, FlushInterval: 50 * time.Millisecond},
		Handler: logging.HandlerOptions{Service: service, Version: "test"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func newProvider(t *testing.T, service, protocol, endpoint string) *sdktrace.TracerProvider {
	t.Helper()
	tp, err := tracing.Setup(t.Context(), tracing.Config{ServiceName: service, Protocol: protocol, Endpoint: endpoint})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func newForwarder(t *testing.T, tp *sdktrace.TracerProvider) *tracing.Forwarder {
	t.Helper()
	f, err := tracing.New(tracing.WithSpans(tp))
	require.NoError(t, err)
	return f
}

func startChain(t *testing.T) *chain {
	t.Helper()
	col := harness.StartCollector(t)
	agent, err := devagent.Start(t.Context(), devagent.Config{TrustDomain: td.Name()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = agent.Close() })
	source := func(who spiffeid.ID) mtls.Source {
		addr, err := agent.Socket(who)
		require.NoError(t, err)
		src, err := mtls.NewWorkloadAPISource(t.Context(), mtls.WithAddr(addr))
		require.NoError(t, err)
		t.Cleanup(func() { _ = src.Close() })
		return src
	}
	grpcEndpoint, httpEndpoint := "http://"+col.OTLPGRPC, "http://"+col.OTLPHTTP
	c := &chain{
		collector:  col,
		shopTP:     newProvider(t, "shop", tracing.ProtocolHTTP, httpEndpoint),
		ordersTP:   newProvider(t, "orders", tracing.ProtocolGRPC, grpcEndpoint),
		invTP:      newProvider(t, "inventory", tracing.ProtocolHTTP, httpEndpoint),
		ordersFile: filepath.Join(col.LogDir, "orders.log"),
		invFile:    filepath.Join(col.LogDir, "inventory.log"),
	}
	c.ordersLog = newLogger(t, c.ordersFile, "orders")
	c.invLog = newLogger(t, c.invFile, "inventory")

	// inventory: gRPC with spans and an access log.
	invSrc := source(inventoryID)
	invFwd := newForwarder(t, c.invTP)
	srv := grpc.NewServer(append(invFwd.ServerOptions(),
		grpc.Creds(mtls.ServerCredentials(invSrc, mtls.AuthorizeID(ordersID))),
		grpc.ChainUnaryInterceptor(logging.UnaryServerInterceptor(c.invLog.Logger)))...)
	testgrpc.RegisterTestServiceServer(srv, inventoryService{log: c.invLog.Logger})
	invAddr := startGRPC(t, srv)

	// orders: HTTP with spans and an access log, calling inventory.
	ordersSrc := source(ordersID)
	ordersFwd := newForwarder(t, c.ordersTP)
	conn, err := grpc.NewClient(invAddr, append(ordersFwd.DialOptions(),
		grpc.WithTransportCredentials(mtls.ClientCredentials(ordersSrc, mtls.AuthorizeID(inventoryID))))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	inventory := testgrpc.NewTestServiceClient(conn)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logSecrets(r.Context(), c.ordersLog.Logger, "orders")
		resp, err := inventory.UnaryCall(r.Context(), &testgrpc.SimpleRequest{})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(resp.GetUsername()))
	})
	c.ordersURL = serveHTTP(t, ordersFwd.Middleware(logging.AccessLog(c.ordersLog.Logger)(handler)),
		ordersSrc, mtls.AuthorizeID(shopID))

	// shop: the caller, with a client span per request.
	shopFwd := newForwarder(t, c.shopTP)
	c.shop = mtls.NewHTTPClient(source(shopID), mtls.AuthorizeID(ordersID))
	c.shop.Transport = shopFwd.Transport(c.shop.Transport)
	t.Cleanup(c.shop.CloseIdleConnections)
	return c
}

// flush exports every pending span and writes every pending log record.
func (c *chain) flush(t *testing.T) {
	t.Helper()
	for _, tp := range []*sdktrace.TracerProvider{c.shopTP, c.ordersTP, c.invTP} {
		require.NoError(t, tp.ForceFlush(t.Context()))
	}
	require.NoError(t, c.ordersLog.Close())
	require.NoError(t, c.invLog.Close())
}
