// Package mtlspair runs an HTTP and a gRPC service that talk over SPIFFE
// mutual TLS, with SVIDs from mtls/devagent: a caller (gateway) calls orders
// over gRPC, orders calls inventory over HTTPS, and each service admits only
// the SPIFFE ID it expects.
package mtlspair

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc"

	"github.com/ztkit/ztkit/examples/internal/ordersapi"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
)

// The workloads of the example's trust domain.
var (
	GatewayID   = spiffeid.RequireFromString("spiffe://example.org/gateway")
	OrdersID    = spiffeid.RequireFromString("spiffe://example.org/orders")
	InventoryID = spiffeid.RequireFromString("spiffe://example.org/inventory")
	ImpostorID  = spiffeid.RequireFromString("spiffe://example.org/impostor")
)

// Run starts a development agent and the two services on 127.0.0.1, runs
// the scenario, writes one line per step to w and returns an error naming
// every step whose outcome was not the expected one.
func Run(ctx context.Context, w io.Writer) error {
	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
	if err != nil {
		return err
	}
	defer agent.Close()

	sources := map[spiffeid.ID]*mtls.WorkloadAPISource{}
	for _, id := range []spiffeid.ID{GatewayID, OrdersID, InventoryID, ImpostorID} {
		addr, err := agent.Socket(id)
		if err != nil {
			return err
		}
		src, err := mtls.NewWorkloadAPISource(ctx, mtls.WithAddr(addr))
		if err != nil {
			return err
		}
		defer src.Close()
		sources[id] = src
	}

	inventoryURL, stopInventory, err := serveInventory(sources[InventoryID])
	if err != nil {
		return err
	}
	defer stopInventory()

	ordersAddr, stopOrders, err := serveOrders(sources[OrdersID], inventoryURL)
	if err != nil {
		return err
	}
	defer stopOrders()

	steps := []step{
		{"gateway places an order through orders and inventory", true, func() error {
			return placeOrder(ctx, sources[GatewayID], ordersAddr)
		}},
		{"impostor calls orders", false, func() error {
			return placeOrder(ctx, sources[ImpostorID], ordersAddr)
		}},
		{"gateway calls inventory directly, skipping orders", false, func() error {
			return reserve(ctx, sources[GatewayID], inventoryURL)
		}},
		{"orders rotates its SVID and calls again", true, func() error {
			agent.Rotate()
			return placeOrder(ctx, sources[GatewayID], ordersAddr)
		}},
	}
	return runSteps(w, steps)
}

type step struct {
	name    string
	allowed bool
	do      func() error
}

func runSteps(w io.Writer, steps []step) error {
	var failed []string
	for _, s := range steps {
		err := s.do()
		got, want := outcome(err == nil), outcome(s.allowed)
		mark := "ok  "
		if got != want {
			mark = "FAIL"
			failed = append(failed, s.name)
		}
		line := fmt.Sprintf("%s %-55s want %-7s got %s", mark, s.name, want, got)
		if err != nil {
			line += " (" + firstLine(err) + ")"
		}
		fmt.Fprintln(w, line)
	}
	if len(failed) > 0 {
		return fmt.Errorf("steps with unexpected outcome: %s", strings.Join(failed, "; "))
	}
	return nil
}

func outcome(ok bool) string {
	if ok {
		return "allowed"
	}
	return "refused"
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 100
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func serveInventory(src mtls.Source) (url string, stop func(), err error) {
	srv := mtls.NewHTTPServer("127.0.0.1:0", inventoryHandler(), src, mtls.AuthorizeID(OrdersID))
	srv.ErrorLog = discardLogger()
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return "", nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("inventory:", err)
		}
	}()
	return "https://" + ln.Addr().String(), func() { _ = srv.Close(); <-done }, nil
}

func serveOrders(src mtls.Source, inventoryURL string) (addr string, stop func(), err error) {
	inventory := mtls.NewHTTPClient(src, mtls.AuthorizeID(InventoryID))
	srv := grpc.NewServer(grpc.Creds(mtls.ServerCredentials(src, mtls.AuthorizeID(GatewayID))))
	ordersapi.Register(srv, &ordersService{inventoryURL: inventoryURL, inventory: inventory})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return ln.Addr().String(), func() { srv.Stop(); <-done; inventory.CloseIdleConnections() }, nil
}

func placeOrder(ctx context.Context, src mtls.Source, addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(mtls.ClientCredentials(src, mtls.AuthorizeID(OrdersID))))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = ordersapi.PlaceOrder(ctx, conn, "widget")
	return err
}

func reserve(ctx context.Context, src mtls.Source, inventoryURL string) error {
	client := mtls.NewHTTPClient(src, mtls.AuthorizeID(InventoryID))
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inventoryURL+"/v1/reserve?item=widget", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("inventory answered %d", resp.StatusCode)
	}
	return nil
}
