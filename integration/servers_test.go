package integration_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/integration/internal/harness"
	"github.com/ztkit/ztkit/internal/peertest"
	"github.com/ztkit/ztkit/mtls"
)

var td = spiffeid.RequireTrustDomainFromString("ztkit.test")

func id(path string) spiffeid.ID { return spiffeid.RequireFromPath(td, path) }

// workloadSource connects mtls's Workload API source to an agent.
func workloadSource(t *testing.T, agent *harness.SPIREAgent, opts ...mtls.SourceOption) *mtls.WorkloadAPISource {
	t.Helper()
	opts = append([]mtls.SourceOption{mtls.WithAddr(agent.Addr()), mtls.WithReadyTimeout(20 * time.Second)}, opts...)
	src, err := mtls.NewWorkloadAPISource(t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// peerHandler answers with the caller's SPIFFE ID and certificate serial.
var peerHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	peer, ok := mtls.PeerIDFromRequest(r)
	if !ok {
		http.Error(w, "no peer", http.StatusInternalServerError)
		return
	}
	_, _ = io.WriteString(w, peer.String()+" "+r.TLS.PeerCertificates[0].SerialNumber.Text(16))
})

// serverLog collects what an http.Server logs, such as refused handshakes.
type serverLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(p))
	return len(p), nil
}

// has reports whether a logged line contains sub.
func (l *serverLog) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			return true
		}
	}
	return false
}

// serveHTTP runs h through mtls.NewHTTPServer on 127.0.0.1 and returns the
// base URL.
func serveHTTP(t *testing.T, h http.Handler, src mtls.Source, a mtls.Authorizer) string {
	t.Helper()
	url, _ := serveHTTPLog(t, h, src, a)
	return url
}

// serveHTTPLog is serveHTTP that also returns the server's error log.
func serveHTTPLog(t *testing.T, h http.Handler, src mtls.Source, a mtls.Authorizer) (string, *serverLog) {
	t.Helper()
	errs := &serverLog{}
	srv := mtls.NewHTTPServer("127.0.0.1:0", h, src, a)
	srv.ErrorLog = log.New(errs, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeTLS(ln, "", "")
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return "https://" + ln.Addr().String(), errs
}

// get performs a GET and returns the response, whose body it has read,
// and the body.
func get(ctx context.Context, client *http.Client, url string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// serveGRPC runs peertest.Service with mtls.ServerCredentials on 127.0.0.1.
func serveGRPC(t *testing.T, src mtls.Source, a mtls.Authorizer) string {
	t.Helper()
	srv := grpc.NewServer(grpc.Creds(mtls.ServerCredentials(src, a)))
	testgrpc.RegisterTestServiceServer(srv, peertest.Service{})
	return startGRPC(t, srv)
}

// startGRPC serves srv on 127.0.0.1 until the test ends and returns its
// address.
func startGRPC(t *testing.T, srv *grpc.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return ln.Addr().String()
}

func dialGRPC(t *testing.T, addr string, src mtls.Source, a mtls.Authorizer) testgrpc.TestServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(mtls.ClientCredentials(src, a)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return testgrpc.NewTestServiceClient(conn)
}
