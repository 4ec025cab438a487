// Command demo runs ztkit's services together on this machine with
// embedded defaults: a development SPIFFE agent and services that talk over
// mutual TLS. It prints one line per scenario step and exits non-zero if any
// step had an unexpected outcome.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/ztkit/ztkit/examples/mtlspair"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Println("ztkit demo: gateway -> orders (gRPC, mTLS) -> inventory (HTTPS, mTLS)")
	if err := mtlspair.Run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	fmt.Println("all steps matched")
}
