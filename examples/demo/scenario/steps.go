package scenario

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/demo/orders"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/mtls"
)

// Step is one line of the report: what was tried, what was expected and
// what happened.
type Step struct {
	Name string
	Want string
	Got  string
}

// OK reports whether the step went as expected.
func (s Step) OK() bool { return s.Want == s.Got }

// run is the state the steps share.
type run struct {
	ctx     context.Context
	sys     *System
	users   *http.Client
	aliceTk string
	traceID string
}

// Run executes the scenario against a started system and returns its steps
// in order. It fails only when the scenario cannot be run at all; each
// step's outcome is in its Step.
func Run(ctx context.Context, sys *System) ([]Step, error) {
	r := &run{ctx: ctx, sys: sys, users: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: sys.GatewayCert.Pool}},
	}}
	defer r.users.CloseIdleConnections()
	var err error
	if r.aliceTk, err = sys.Tokens.Token("alice", 15*time.Minute); err != nil {
		return nil, err
	}
	steps := []struct {
		name, want string
		do         func() (string, error)
	}{
		{"alice (orders:write) places an order", "200", r.aliceOrders},
		{"bob (orders:read only) is denied by the orders policy", "403", r.tokenFor("bob", 15*time.Minute)},
		{"an expired token is rejected at the gateway", "401", r.tokenFor("alice", -time.Hour)},
		{"a forged token is rejected at the gateway", "401", r.forged},
		{"a request without a token is rejected at the gateway", "401", r.order("")},
		{"an impostor (valid SVID, wrong ID) is denied by inventory", "403", r.callInventoryAs(ImpostorID)},
		{"gateway skipping orders is denied by inventory", "403", r.callInventoryAs(GatewayID)},
		{"an impostor is refused by orders at the mTLS handshake", "refused", r.impostorDialsOrders},
		{"SVIDs rotate twice during 30 orders", "30 of 30 ok, 2 rotations", r.ordersAcrossRotations},
		{"one trace id in all three services' logs", "gateway orders inventory", r.traceInLogs},
		{"the password and token logged on purpose are redacted", "redacted", r.secretsRedacted},
	}
	out := make([]Step, 0, len(steps))
	for _, s := range steps {
		got, err := s.do()
		if err != nil {
			got = "error: " + err.Error()
		}
		out = append(out, Step{Name: s.name, Want: s.want, Got: got})
	}
	return out, nil
}

// Report writes one line per step and says whether all matched.
func Report(w io.Writer, steps []Step) bool {
	all := true
	for i, s := range steps {
		mark := "ok  "
		if !s.OK() {
			mark, all = "FAIL", false
		}
		fmt.Fprintf(w, "%s %2d  %-56s want %-26s got %s\n", mark, i+1, s.Name, s.Want, s.Got)
	}
	return all
}

// order places an order at the gateway with token and returns the status.
func (r *run) order(token string) func() (string, error) {
	return func() (string, error) {
		code, _, err := r.placeOrder(token)
		return fmt.Sprint(code), err
	}
}

func (r *run) placeOrder(token string) (int, map[string]any, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.sys.GatewayURL+"/v1/orders?item=widget", nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.users.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body)
	return resp.StatusCode, body, nil
}

func (r *run) aliceOrders() (string, error) {
	code, body, err := r.placeOrder(r.aliceTk)
	if err != nil {
		return "", err
	}
	r.traceID, _ = body["trace_id"].(string)
	return fmt.Sprint(code), nil
}

func (r *run) tokenFor(user string, ttl time.Duration) func() (string, error) {
	return func() (string, error) {
		tok, err := r.sys.Tokens.Token(user, ttl)
		if err != nil {
			return "", err
		}
		return r.order(tok)()
	}
}

func (r *run) forged() (string, error) {
	tok, err := r.sys.Tokens.Forged("alice")
	if err != nil {
		return "", err
	}
	return r.order(tok)()
}

// callInventoryAs calls inventory directly with the workload's SVID and
// alice's valid token.
func (r *run) callInventoryAs(id spiffeid.ID) func() (string, error) {
	return func() (string, error) {
		client := mtls.NewHTTPClient(r.sys.sources[id], mtls.AuthorizeID(InventoryID))
		defer client.CloseIdleConnections()
		client.Transport = jwtauth.Transport(client.Transport, jwtauth.StaticToken(r.aliceTk))
		req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.sys.InventoryURL+"/v1/reserve?item=widget", nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "refused: " + err.Error(), nil
		}
		resp.Body.Close()
		return fmt.Sprint(resp.StatusCode), nil
	}
}

func (r *run) impostorDialsOrders() (string, error) {
	err := dialOrders(r.ctx, r.sys.sources[ImpostorID], r.sys.OrdersAddr, r.aliceTk)
	if err == nil {
		return "accepted", nil
	}
	return "refused", nil
}

func (r *run) ordersAcrossRotations() (string, error) {
	const total = 30
	ok, rotations := 0, 0
	for i := range total {
		if i == 10 || i == 20 {
			before := serialOf(r.sys.sources[GatewayID])
			r.sys.Agent.Rotate()
			if err := waitFor(func() bool { return serialOf(r.sys.sources[GatewayID]) != before }); err != nil {
				return "", fmt.Errorf("rotation not seen: %w", err)
			}
			rotations++
		}
		if code, _, err := r.placeOrder(r.aliceTk); err == nil && code == http.StatusOK {
			ok++
		}
	}
	return fmt.Sprintf("%d of %d ok, %d rotations", ok, total, rotations), nil
}

func (r *run) traceInLogs() (string, error) {
	if r.traceID == "" || strings.Trim(r.traceID, "0") == "" {
		return "no trace id from the first order", nil
	}
	if err := r.sys.FlushLogs(); err != nil {
		return "", err
	}
	var found []string
	for _, name := range []string{"gateway", "orders", "inventory"} {
		data, err := os.ReadFile(filepath.Join(r.sys.LogDir, name+".log"))
		if err != nil {
			return "", err
		}
		if strings.Contains(string(data), `"trace_id":"`+r.traceID+`"`) {
			found = append(found, name)
		}
	}
	return strings.Join(found, " "), nil
}

func (r *run) secretsRedacted() (string, error) {
	if err := r.sys.FlushLogs(); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(r.sys.LogDir, "orders.log"))
	if err != nil {
		return "", err
	}
	log := string(data)
	switch {
	case !strings.Contains(log, "charging the demo payment provider"):
		return "the line was not logged", nil
	case strings.Contains(log, orders.DemoPassword):
		return "password leaked", nil
	case strings.Contains(log, r.aliceTk):
		return "token leaked", nil
	case !strings.Contains(log, "[REDACTED"):
		return "no redaction mark", nil
	}
	return "redacted", nil
}

func serialOf(src mtls.Source) string {
	svid, err := src.GetX509SVID()
	if err != nil {
		return ""
	}
	return svid.Certificates[0].SerialNumber.Text(16)
}

// waitFor polls cond until it holds or 10s pass.
func waitFor(cond func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}
