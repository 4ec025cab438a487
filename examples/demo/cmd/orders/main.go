// Command orders runs the demo's orders service alone, against a real
// SPIFFE agent and token issuer:
//
//	orders -spiffe-socket unix:///run/spire/agent.sock -issuer https://login.example.org \
//		-inventory-url https://inventory:8443 -listen :9443
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/demo/internal/standalone"
	"github.com/ztkit/ztkit/examples/demo/orders"
)

func main() {
	flags := standalone.Register(flag.CommandLine, "orders", ":9443")
	gatewayID := flag.String("gateway-id", "spiffe://example.org/gateway", "SPIFFE ID of the only workload that may call")
	inventoryURL := flag.String("inventory-url", "https://127.0.0.1:8443", "inventory base URL")
	inventoryID := flag.String("inventory-id", "spiffe://example.org/inventory", "SPIFFE ID inventory must present")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	stack, err := flags.Build(ctx, "orders", orders.DefaultPolicy)
	if err != nil {
		log.Fatal(err)
	}
	defer stack.Close()
	srv, err := orders.New(orders.Config{
		Source: stack.Source, GatewayID: mustID(*gatewayID), InventoryURL: *inventoryURL, InventoryID: mustID(*inventoryID),
		Verifier: stack.Verifier, Authorizer: stack.Authorizer, Logger: stack.Logger.Logger, Tracing: stack.Tracing,
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", flags.Listen)
	if err != nil {
		log.Fatal(err)
	}
	go func() { <-ctx.Done(); srv.Stop() }()
	log.Printf("orders listening on %s", ln.Addr())
	if err := srv.Serve(ln); err != nil {
		log.Print(err)
	}
}

func mustID(s string) spiffeid.ID {
	id, err := spiffeid.FromString(s)
	if err != nil {
		log.Fatalf("%q: %v", s, err)
	}
	return id
}
