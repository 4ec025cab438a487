// Command demo runs ztkit's whole system on this machine with embedded
// defaults: a development SPIFFE agent, a development token service, and
// three services wired with the full stack: gateway (HTTPS for users) →
// orders (gRPC over mTLS) → inventory (HTTPS over mTLS).
//
// Without flags it runs a scripted scenario, prints one line per step with
// the expected and the actual outcome, and exits non-zero if any differed.
// With -serve it keeps the system running and prints curl commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/ztkit/ztkit/examples/demo/scenario"
)

func main() {
	serve := flag.Bool("serve", false, "keep the system running and print curl commands")
	logDir := flag.String("logs", "", "directory for the services' log files (default: a new temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *serve, *logDir); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, serve bool, logDir string) error {
	if logDir == "" {
		dir, err := os.MkdirTemp("", "ztkit-demo-logs-")
		if err != nil {
			return err
		}
		logDir = dir
	}
	sys, err := scenario.Start(ctx, scenario.Options{LogDir: logDir})
	if err != nil {
		return err
	}
	defer sys.Close()

	if serve {
		return printCurlAndWait(ctx, sys)
	}
	fmt.Println("ztkit demo: gateway (HTTPS) -> orders (gRPC, mTLS) -> inventory (HTTPS, mTLS)")
	steps, err := scenario.Run(ctx, sys)
	if err != nil {
		return err
	}
	ok := scenario.Report(os.Stdout, steps)
	_ = sys.FlushLogs()
	fmt.Println("logs:", logDir)
	if !ok {
		var failed []string
		for i, s := range steps {
			if !s.OK() {
				failed = append(failed, fmt.Sprintf("step %d (%s): want %s, got %s", i+1, s.Name, s.Want, s.Got))
			}
		}
		return fmt.Errorf("%d steps did not go as expected: %s", len(failed), strings.Join(failed, "; "))
	}
	fmt.Println("all steps went as expected")
	return nil
}

func printCurlAndWait(ctx context.Context, sys *scenario.System) error {
	caFile := filepath.Join(sys.LogDir, "gateway-ca.pem")
	if err := os.WriteFile(caFile, sys.GatewayCert.PEM, 0o600); err != nil {
		return err
	}
	fmt.Println("ztkit demo is running; logs in", sys.LogDir)
	for _, user := range []string{"alice", "bob"} {
		tok, err := sys.Tokens.Token(user, time.Hour)
		if err != nil {
			return err
		}
		fmt.Printf("\n# %s\nTOKEN_%s=%s\ncurl --cacert %s -X POST -H \"Authorization: Bearer $TOKEN_%s\" '%s/v1/orders?item=widget'\n",
			user, user, tok, caFile, user, sys.GatewayURL)
	}
	fmt.Println("\nPress Ctrl-C to stop.")
	<-ctx.Done()
	return nil
}
