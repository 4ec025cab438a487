package mtls_test

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/internal/peertest"
	"github.com/ztkit/ztkit/mtls"
)

// errCollector gathers the errors a server reports about refused peers.
type errCollector chan string

func newErrCollector() errCollector { return make(chan string, 64) }

func (c errCollector) Write(p []byte) (int, error) {
	select {
	case c <- string(p):
	default:
	}
	return len(p), nil
}

func (c errCollector) report(err error) {
	if err != nil {
		_, _ = c.Write([]byte(err.Error()))
	}
}

// next returns the next reported error, or "" if none came within 10s.
func (c errCollector) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(10 * time.Second):
		return ""
	}
}

// peerHandler answers with the caller's SPIFFE ID.
var peerHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, ok := mtls.PeerIDFromRequest(r)
	if !ok {
		http.Error(w, "no peer", http.StatusInternalServerError)
		return
	}
	ctxID, _ := mtls.PeerIDFromContext(r.Context())
	if ctxID != id {
		http.Error(w, "context and request disagree", http.StatusInternalServerError)
		return
	}
	_, _ = io.WriteString(w, id.String())
})

// startHTTP serves peerHandler through mtls.NewHTTPServer on 127.0.0.1 and
// returns its base URL and the errors it logs about refused handshakes.
func startHTTP(t *testing.T, src mtls.Source, a mtls.Authorizer) (string, errCollector) {
	t.Helper()
	errs := newErrCollector()
	srv := mtls.NewHTTPServer("127.0.0.1:0", peerHandler, src, a)
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

func httpGet(t *testing.T, client *http.Client, url string) (string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body), nil
}

func rawHTTPClient(t *testing.T, cfg *tls.Config) *http.Client {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// capturingCreds reports the server's handshake errors.
type capturingCreds struct {
	credentials.TransportCredentials
	errs errCollector
}

func (c capturingCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	nc, info, err := c.TransportCredentials.ServerHandshake(conn)
	c.errs.report(err)
	return nc, info, err
}

// startGRPC serves peertest.Service with mtls.ServerCredentials on 127.0.0.1.
func startGRPC(t *testing.T, src mtls.Source, a mtls.Authorizer) (string, errCollector) {
	t.Helper()
	errs := newErrCollector()
	srv := grpc.NewServer(grpc.Creds(capturingCreds{mtls.ServerCredentials(src, a), errs}))
	testgrpc.RegisterTestServiceServer(srv, peertest.Service{})
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
	return ln.Addr().String(), errs
}

func dialGRPC(t *testing.T, addr string, creds credentials.TransportCredentials) testgrpc.TestServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return testgrpc.NewTestServiceClient(conn)
}

func grpcUnary(t *testing.T, client testgrpc.TestServiceClient) (string, error) {
	t.Helper()
	resp, err := client.UnaryCall(t.Context(), &testgrpc.SimpleRequest{})
	if err != nil {
		return "", err
	}
	return resp.GetUsername(), nil
}

func grpcStream(t *testing.T, client testgrpc.TestServiceClient) (string, error) {
	t.Helper()
	stream, err := client.FullDuplexCall(t.Context())
	if err != nil {
		return "", err
	}
	if err := stream.Send(&testgrpc.StreamingOutputCallRequest{}); err != nil {
		return "", err
	}
	resp, err := stream.Recv()
	if err != nil {
		return "", err
	}
	if err := stream.CloseSend(); err != nil {
		return "", err
	}
	return string(resp.GetPayload().GetBody()), nil
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newPlainRequest(t *testing.T) *http.Request {
	t.Helper()
	return httptest.NewRequestWithContext(t.Context(), http.MethodGet, "http://example.org/", nil)
}
