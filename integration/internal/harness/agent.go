package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// SPIREAgent is a running spire-agent attested to a SPIREServer.
type SPIREAgent struct {
	ID     spiffeid.ID // the agent's own SPIFFE ID, parent of its entries
	Socket string      // the Workload API socket

	bin, conf, log string
	proc           *process
}

// Addr returns the Workload API address for SPIFFE_ENDPOINT_SOCKET or
// mtls.WithAddr.
func (a *SPIREAgent) Addr() string { return "unix://" + a.Socket }

// StartAgent registers entries under a new join token, starts an agent
// attested with that token and waits until its Workload API answers. The
// entries exist before the agent attests, so the first SVIDs arrive within
// the agent's first sync.
func (s *SPIREServer) StartAgent(t testing.TB, entries ...Entry) *SPIREAgent {
	t.Helper()
	token := s.JoinToken(t)
	a := &SPIREAgent{ID: s.AgentID(t, token)}
	for _, e := range entries {
		s.CreateEntry(t, a.ID, e)
	}
	dir, err := os.MkdirTemp(s.dir, "agent")
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, s.Bundle(t), 0o600); err != nil {
		t.Fatalf("harness: %v", err)
	}
	sockets, err := os.MkdirTemp(s.sockets, "a")
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	a.Socket = filepath.Join(sockets, "api.sock")
	conf := filepath.Join(dir, "agent.conf")
	writeConfig(t, "spire-agent.conf", conf, map[string]any{
		"DataDir":         filepath.Join(dir, "data"),
		"LogLevel":        "INFO",
		"ServerAddress":   "127.0.0.1",
		"ServerPort":      s.Port,
		"SocketPath":      a.Socket,
		"TrustBundlePath": bundle,
		"TrustDomain":     s.TrustDomain.Name(),
		"JoinToken":       token,
		"SyncInterval":    "1s",
	})
	a.bin, a.conf, a.log = s.bins.Agent, conf, filepath.Join(dir, "agent.log")
	a.Start(t)
	return a
}

// Start runs the agent (again, after Stop) and waits until its Workload
// API answers. Its keys and SVID persist in its data directory (KeyManager
// "disk"), so a restarted agent needs no new join token.
func (a *SPIREAgent) Start(t testing.TB) {
	t.Helper()
	a.proc = startProcess(t, "spire-agent", a.log, nil, a.bin, "run", "-config", a.conf)
	a.proc.waitFor(t, "Workload API socket", 30*time.Second, fileExists(a.Socket))
	a.proc.waitFor(t, "healthy Workload API", 30*time.Second, func() error { return grpcHealthy(a.Socket) })
}

// Stop ends the agent process and waits for it to exit.
func (a *SPIREAgent) Stop(t testing.TB) {
	t.Helper()
	a.proc.stop(t)
}

// WaitForSVIDs waits until the agent hands this process X.509-SVIDs for
// all of ids. An agent answers on its Workload API before it has fetched
// every SVID, and until then a workload gets fewer SVIDs or
// PermissionDenied.
func (a *SPIREAgent) WaitForSVIDs(t testing.TB, ids ...spiffeid.ID) {
	t.Helper()
	a.proc.waitFor(t, fmt.Sprintf("X.509-SVIDs for %v", ids), 30*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		svids, err := workloadapi.FetchX509SVIDs(ctx, workloadapi.WithAddr(a.Addr()))
		if err != nil {
			return err
		}
		have := map[spiffeid.ID]bool{}
		for _, s := range svids {
			have[s.ID] = true
		}
		for _, id := range ids {
			if !have[id] {
				return fmt.Errorf("no SVID for %s yet", id)
			}
		}
		return nil
	})
}
