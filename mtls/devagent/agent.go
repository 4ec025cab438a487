package devagent

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/proto/spiffe/workload"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"google.golang.org/grpc"
)

// Config configures a development agent. The zero value is usable.
type Config struct {
	// TrustDomain is the trust domain the agent's CA signs for
	// (default "example.org").
	TrustDomain string
	// SocketDir holds the agent's Unix sockets. Default: a new private
	// temporary directory that Close removes. An agent restarted with the
	// same SocketDir serves each identity on the same path again.
	SocketDir string
	// SVIDTTL is the lifetime of X.509-SVIDs (default 1h). SVIDs are
	// reissued at half of it.
	SVIDTTL time.Duration
	// JWTTTL is the lifetime of JWT-SVIDs (default 5m).
	JWTTTL time.Duration
	// Logger receives the agent's events; nil logs nothing.
	Logger *slog.Logger
}

// Agent is a running development agent: a CA plus one Workload API socket
// per identity. It is for development and tests only; see the package
// documentation.
type Agent struct {
	cfg    Config
	td     spiffeid.TrustDomain
	ca     *ca
	jwt    *jwtSigner
	dir    string
	ownDir bool

	stop      chan struct{}
	stopOnce  sync.Once
	wg        sync.WaitGroup
	mu        sync.Mutex
	idents    map[spiffeid.ID]*identity
	closeErrs []error
}

// identity is one workload the agent serves, with its current SVID.
type identity struct {
	id     spiffeid.ID
	addr   string
	path   string
	server *grpc.Server

	mu      sync.Mutex
	svid    *x509svid.SVID
	changed chan struct{} // closed and replaced on every new SVID
}

func (i *identity) current() (*x509svid.SVID, <-chan struct{}) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.svid, i.changed
}

func (i *identity) set(svid *x509svid.SVID) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.svid = svid
	if i.changed != nil {
		close(i.changed)
	}
	i.changed = make(chan struct{})
}

// Start creates the agent's CA and JWT signing key and starts reissuing
// SVIDs at half their TTL. The agent stops when ctx ends or Close is called.
func Start(ctx context.Context, cfg Config) (*Agent, error) {
	if cfg.TrustDomain == "" {
		cfg.TrustDomain = "example.org"
	}
	if cfg.SVIDTTL == 0 {
		cfg.SVIDTTL = time.Hour
	}
	if cfg.JWTTTL == 0 {
		cfg.JWTTTL = 5 * time.Minute
	}
	var problems []error
	td, err := spiffeid.TrustDomainFromString(cfg.TrustDomain)
	if err != nil {
		problems = append(problems, fmt.Errorf("devagent: Config.TrustDomain %q: %w", cfg.TrustDomain, err))
	}
	if cfg.SVIDTTL < 0 || (cfg.SVIDTTL > 0 && cfg.SVIDTTL < 100*time.Millisecond) {
		problems = append(problems, fmt.Errorf("devagent: Config.SVIDTTL %s is below the 100ms minimum", cfg.SVIDTTL))
	}
	if cfg.JWTTTL < time.Second {
		problems = append(problems, fmt.Errorf("devagent: Config.JWTTTL %s is below the 1s minimum", cfg.JWTTTL))
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	a := &Agent{cfg: cfg, td: td, stop: make(chan struct{}), idents: map[spiffeid.ID]*identity{}}
	if a.ca, err = newCA(td, time.Now()); err != nil {
		return nil, err
	}
	if a.jwt, err = newJWTSigner(td); err != nil {
		return nil, err
	}
	if cfg.SocketDir == "" {
		if a.dir, err = os.MkdirTemp("", "ztkit-devagent-"); err != nil {
			return nil, fmt.Errorf("devagent: socket directory: %w", err)
		}
		a.ownDir = true
	} else {
		a.dir = cfg.SocketDir
		if err := os.MkdirAll(a.dir, 0o700); err != nil {
			return nil, fmt.Errorf("devagent: Config.SocketDir: %w", err)
		}
	}
	a.wg.Add(1)
	go a.run(ctx)
	return a, nil
}

func (a *Agent) run(ctx context.Context) {
	defer a.wg.Done()
	t := time.NewTicker(a.cfg.SVIDTTL / 2)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			a.Rotate()
		case <-ctx.Done():
			go a.Close() // Close waits for this goroutine, so not inline.
			return
		case <-a.stop:
			return
		}
	}
}

// TrustDomain returns the agent's trust domain.
func (a *Agent) TrustDomain() spiffeid.TrustDomain { return a.td }

// X509Bundle returns the agent's X.509 bundle: its CA certificate.
func (a *Agent) X509Bundle() *x509bundle.Bundle {
	return x509bundle.FromX509Authorities(a.td, []*x509.Certificate{a.ca.cert})
}

// Socket returns the address of a Workload API endpoint that serves id,
// in SPIFFE_ENDPOINT_SOCKET form (unix:///path), starting it on first use.
func (a *Agent) Socket(id spiffeid.ID) (string, error) {
	if err := checkMember(a.td, id); err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-a.stop:
		return "", errors.New("devagent: agent is closed")
	default:
	}
	if ident, ok := a.idents[id]; ok {
		return ident.addr, nil
	}
	sum := sha256.Sum256([]byte(id.String()))
	path := filepath.Join(a.dir, hex.EncodeToString(sum[:6])+".sock")
	if len(path) > 100 {
		return "", fmt.Errorf("devagent: socket path %s is too long for a Unix socket; set Config.SocketDir to a shorter directory", path)
	}
	svid, err := a.ca.issue(id, time.Now(), a.cfg.SVIDTTL)
	if err != nil {
		return "", err
	}
	_ = os.Remove(path) // a socket left by an agent that did not close
	lis, err := net.Listen("unix", path)
	if err != nil {
		return "", fmt.Errorf("devagent: listening for %s: %w", id, err)
	}
	ident := &identity{id: id, path: path, addr: "unix://" + path}
	ident.set(svid)
	ident.server = grpc.NewServer(
		grpc.UnaryInterceptor(unaryHeaderCheck),
		grpc.StreamInterceptor(streamHeaderCheck),
	)
	workload.RegisterSpiffeWorkloadAPIServer(ident.server, &workloadServer{agent: a, ident: ident})
	a.idents[id] = ident
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		_ = ident.server.Serve(lis)
	}()
	a.log("devagent: serving identity", slog.String("spiffe_id", id.String()), slog.String("socket", ident.addr))
	return ident.addr, nil
}

// Rotate reissues every identity's X.509-SVID now; open Workload API
// streams receive the new SVID at once.
func (a *Agent) Rotate() {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for _, ident := range a.idents {
		svid, err := a.ca.issue(ident.id, now, a.cfg.SVIDTTL)
		if err != nil {
			a.log("devagent: rotation failed", slog.String("spiffe_id", ident.id.String()), slog.String("error", err.Error()))
			continue
		}
		ident.set(svid)
		a.log("devagent: SVID rotated", slog.String("spiffe_id", ident.id.String()),
			slog.String("serial", hex.EncodeToString(svid.Certificates[0].SerialNumber.Bytes())),
			slog.Time("not_after", svid.Certificates[0].NotAfter))
	}
}

// Close stops every socket, removes them (and the socket directory if the
// agent made it) and waits for the agent's goroutines to end.
func (a *Agent) Close() error {
	a.stopOnce.Do(func() {
		close(a.stop)
		a.mu.Lock()
		for _, ident := range a.idents {
			ident.server.Stop()
			if err := os.Remove(ident.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				a.closeErrs = append(a.closeErrs, err)
			}
		}
		a.mu.Unlock()
		a.wg.Wait()
		if a.ownDir {
			if err := os.RemoveAll(a.dir); err != nil {
				a.closeErrs = append(a.closeErrs, err)
			}
		}
	})
	return errors.Join(a.closeErrs...)
}

func (a *Agent) log(msg string, attrs ...slog.Attr) {
	if a.cfg.Logger != nil {
		a.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
	}
}

func marshalKey(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("marshalling SVID key: %w", err)
	}
	return der, nil
}
