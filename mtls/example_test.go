package mtls_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
)

// An HTTP service and its client over mutual TLS, with SVIDs from a
// development agent. Against SPIRE, only the sources change:
// mtls.NewWorkloadAPISource(ctx) reads SPIFFE_ENDPOINT_SOCKET.
func ExampleNewHTTPServer() {
	ctx := context.Background()
	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
	if err != nil {
		panic(err)
	}
	defer agent.Close()

	inventoryID := spiffeid.RequireFromString("spiffe://example.org/inventory")
	ordersID := spiffeid.RequireFromString("spiffe://example.org/orders")
	inventory := source(ctx, agent, inventoryID)
	defer inventory.Close()
	orders := source(ctx, agent, ordersID)
	defer orders.Close()

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := mtls.PeerIDFromRequest(r)
		fmt.Fprintf(w, "hello %s", caller)
	})
	srv := mtls.NewHTTPServer("127.0.0.1:0", handler, inventory, mtls.AuthorizeID(ordersID))
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		panic(err)
	}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()

	client := mtls.NewHTTPClient(orders, mtls.AuthorizeID(inventoryID))
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: hello spiffe://example.org/orders
}

// A gRPC server and client over mutual TLS; the server accepts any workload
// of its own trust domain.
func ExampleServerCredentials() {
	ctx := context.Background()
	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
	if err != nil {
		panic(err)
	}
	defer agent.Close()
	serverID := spiffeid.RequireFromString("spiffe://example.org/inventory")
	serverSrc := source(ctx, agent, serverID)
	defer serverSrc.Close()
	clientSrc := source(ctx, agent, spiffeid.RequireFromString("spiffe://example.org/orders"))
	defer clientSrc.Close()

	srv := grpc.NewServer(grpc.Creds(mtls.ServerCredentials(serverSrc, mtls.AuthorizeTrustDomain(agent.TrustDomain()))))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(),
		grpc.WithTransportCredentials(mtls.ClientCredentials(clientSrc, mtls.AuthorizeID(serverID))))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.GetStatus())
	// Output: SERVING
}

// Prefixes match on path segment boundaries.
func ExampleAuthorizeIDPrefix() {
	authorize := mtls.AuthorizeIDPrefix(spiffeid.RequireFromString("spiffe://example.org/ns/prod"))
	for _, peer := range []string{"spiffe://example.org/ns/prod/api", "spiffe://example.org/ns/production"} {
		err := authorize(spiffeid.RequireFromString(peer), nil)
		fmt.Println(peer, err == nil)
	}
	// Output:
	// spiffe://example.org/ns/prod/api true
	// spiffe://example.org/ns/production false
}

func source(ctx context.Context, agent *devagent.Agent, id spiffeid.ID) *mtls.WorkloadAPISource {
	addr, err := agent.Socket(id)
	if err != nil {
		panic(err)
	}
	src, err := mtls.NewWorkloadAPISource(ctx, mtls.WithAddr(addr))
	if err != nil {
		panic(err)
	}
	return src
}
