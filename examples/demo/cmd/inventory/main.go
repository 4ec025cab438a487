// Command inventory runs the demo's inventory service alone, against a real
// SPIFFE agent and token issuer:
//
//	inventory -spiffe-socket unix:///run/spire/agent.sock -issuer https://login.example.org -listen :8443
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/demo/internal/standalone"
	"github.com/ztkit/ztkit/examples/demo/inventory"
)

func main() {
	flags := standalone.Register(flag.CommandLine, "inventory", ":8443")
	trustDomain := flag.String("trust-domain", "example.org", "trust domain whose workloads may connect")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	td, err := spiffeid.TrustDomainFromString(*trustDomain)
	if err != nil {
		log.Fatalf("-trust-domain: %v", err)
	}
	stack, err := flags.Build(ctx, "inventory", inventory.DefaultPolicy)
	if err != nil {
		log.Fatal(err)
	}
	defer stack.Close()
	srv, err := inventory.New(inventory.Config{
		Addr: flags.Listen, Source: stack.Source, TrustDomain: td, Verifier: stack.Verifier,
		Authorizer: stack.Authorizer, Logger: stack.Logger.Logger, Tracing: stack.Tracing,
	})
	if err != nil {
		log.Fatal(err)
	}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	log.Printf("inventory listening on %s", flags.Listen)
	if err := srv.ListenAndServeTLS("", ""); err != nil {
		log.Print(err)
	}
}
