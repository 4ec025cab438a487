// Command gateway runs the demo's gateway alone, against a real SPIFFE
// agent and token issuer, with the user-facing certificate from files:
//
//	gateway -spiffe-socket unix:///run/spire/agent.sock -issuer https://login.example.org \
//		-tls-cert gateway.pem -tls-key gateway-key.pem -orders orders:9443 -listen :443
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"log"
	"os"
	"os/signal"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/demo/gateway"
	"github.com/ztkit/ztkit/examples/demo/internal/standalone"
	"github.com/ztkit/ztkit/tracing"
)

func main() {
	flags := standalone.Register(flag.CommandLine, "gateway", ":8080")
	certFile := flag.String("tls-cert", "", "user-facing TLS certificate (PEM); required")
	keyFile := flag.String("tls-key", "", "user-facing TLS key (PEM); required")
	ordersAddr := flag.String("orders", "127.0.0.1:9443", "orders service address")
	ordersID := flag.String("orders-id", "spiffe://example.org/orders", "SPIFFE ID orders must present")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("-tls-cert/-tls-key: %v", err)
	}
	id, err := spiffeid.FromString(*ordersID)
	if err != nil {
		log.Fatalf("-orders-id: %v", err)
	}
	stack, err := flags.Build(ctx, "gateway", gateway.DefaultPolicy, tracing.WithEdge())
	if err != nil {
		log.Fatal(err)
	}
	defer stack.Close()
	srv, err := gateway.New(gateway.Config{
		Addr: flags.Listen, TLS: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		Source: stack.Source, OrdersAddr: *ordersAddr, OrdersID: id,
		Verifier: stack.Verifier, Authorizer: stack.Authorizer, Logger: stack.Logger.Logger, Tracing: stack.Tracing,
	})
	if err != nil {
		log.Fatal(err)
	}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	log.Printf("gateway listening on %s", flags.Listen)
	if err := srv.ListenAndServeTLS("", ""); err != nil {
		log.Print(err)
	}
}
