package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const spireModule = "github.com/spiffe/spire"

// SPIREBinaries holds the paths of the spire-server and spire-agent
// programs.
type SPIREBinaries struct {
	Server, Agent string
}

// spireTools is the module that pins SPIRE as tool dependencies. It is
// separate from the integration module because SPIRE builds only against
// the go-spiffe release it was written for, not the one ztkit requires.
const spireTools = "tools/spire"

// BuildSPIRE returns spire-server and spire-agent at the version that
// tools/spire requires, building them into the cache if needed. The cache
// entry is keyed by the SPIRE release and a hash of tools/spire's go.mod
// and go.sum.
func BuildSPIRE(t testing.TB) SPIREBinaries {
	t.Helper()
	dir, err := buildSPIRE(logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	return SPIREBinaries{Server: filepath.Join(dir, "spire-server"), Agent: filepath.Join(dir, "spire-agent")}
}

func buildSPIRE(w io.Writer) (string, error) {
	return buildTools(w, spireTools, "spire", spireModule,
		spireModule+"/cmd/spire-server", spireModule+"/cmd/spire-agent")
}

// SPIREServer is a running spire-server.
type SPIREServer struct {
	TrustDomain spiffeid.TrustDomain
	Socket      string // the server API socket, for the CLI
	Port        int    // the agent-facing port on 127.0.0.1

	bins    SPIREBinaries
	dir     string // data and logs
	sockets string // short directory for sockets
	proc    *process
}

// StartSPIREServer starts a SPIRE server for trust domain td with the
// recipe in templates/spire-server.conf and waits until its API answers.
func StartSPIREServer(t testing.TB, td spiffeid.TrustDomain) *SPIREServer {
	t.Helper()
	bins := BuildSPIRE(t)
	s := &SPIREServer{TrustDomain: td, bins: bins, dir: t.TempDir(), sockets: socketDir(t)}
	s.Socket = filepath.Join(s.sockets, "server.sock")
	s.Port = freePorts(t, 1)[0]
	conf := filepath.Join(s.dir, "server.conf")
	writeConfig(t, "spire-server.conf", conf, map[string]any{
		"BindAddress":         "127.0.0.1",
		"BindPort":            s.Port,
		"SocketPath":          s.Socket,
		"TrustDomain":         td.Name(),
		"DataDir":             filepath.Join(s.dir, "data"),
		"LogLevel":            "INFO",
		"CacheReloadInterval": "100ms",
	})
	s.proc = startProcess(t, "spire-server", filepath.Join(s.dir, "server.log"), nil, bins.Server,
		"run", "-config", conf)
	s.proc.waitFor(t, "API socket", 30*time.Second, fileExists(s.Socket))
	s.proc.waitFor(t, "healthy API", 30*time.Second, func() error { return grpcHealthy(s.Socket) })
	return s
}

// CLI runs "spire-server cmd sub" against this server with flags and
// returns its output, e.g. CLI(t, "entry", "show").
func (s *SPIREServer) CLI(t testing.TB, cmd, sub string, flags ...string) string {
	t.Helper()
	return run(t, s.bins.Server, append([]string{cmd, sub, "-socketPath", s.Socket}, flags...)...)
}

// JoinToken generates a one-time join token for an agent.
func (s *SPIREServer) JoinToken(t testing.TB) string {
	t.Helper()
	// Without -spiffeID the output is "Token: <uuid>" and a warning line.
	out := s.CLI(t, "token", "generate", "-ttl", "600")
	first, _, _ := strings.Cut(out, "\n")
	tok, ok := strings.CutPrefix(strings.TrimSpace(first), "Token: ")
	if !ok || tok == "" {
		t.Fatalf("harness: unexpected token generate output %q", out)
	}
	return tok
}

// AgentID returns the SPIFFE ID that an agent attested with token gets,
// the parent ID of the entries it serves.
func (s *SPIREServer) AgentID(t testing.TB, token string) spiffeid.ID {
	t.Helper()
	id, err := spiffeid.FromSegments(s.TrustDomain, "spire", "agent", "join_token", token)
	if err != nil {
		t.Fatalf("harness: agent ID for join token %q: %v", token, err)
	}
	return id
}

// Entry is a workload registration entry.
type Entry struct {
	ID        spiffeid.ID
	Selectors []string // e.g. "unix:uid:0"
	X509TTL   time.Duration
	JWTTTL    time.Duration
	Hint      string
}

// CreateEntry registers e as served by the agent whose SPIFFE ID is parent.
func (s *SPIREServer) CreateEntry(t testing.TB, parent spiffeid.ID, e Entry) {
	t.Helper()
	args := []string{"-parentID", parent.String(), "-spiffeID", e.ID.String()}
	for _, sel := range e.Selectors {
		args = append(args, "-selector", sel)
	}
	if e.X509TTL > 0 {
		args = append(args, "-x509SVIDTTL", fmt.Sprint(int(e.X509TTL/time.Second)))
	}
	if e.JWTTTL > 0 {
		args = append(args, "-jwtSVIDTTL", fmt.Sprint(int(e.JWTTTL/time.Second)))
	}
	if e.Hint != "" {
		args = append(args, "-hint", e.Hint)
	}
	s.CLI(t, "entry", "create", args...)
}

// Bundle returns the server's X.509 CA bundle in PEM.
func (s *SPIREServer) Bundle(t testing.TB) []byte {
	t.Helper()
	return []byte(s.CLI(t, "bundle", "show", "-format", "pem"))
}

// UID returns the selector that matches processes of the current user,
// such as this test.
func UID() string { return fmt.Sprintf("unix:uid:%d", os.Getuid()) }

// grpcHealthy checks the gRPC health service on a Unix socket, which both
// the SPIRE server API and the agent's Workload API offer.
func grpcHealthy(socket string) error {
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("health status %s", resp.GetStatus())
	}
	return nil
}
