package benchmarks

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/tracing"
)

// The full-stack comparison: one HTTP request over an established mutual
// TLS connection, answered by a bare net/http server with crypto/tls, or by
// a ztkit service with every layer (mtls, tracing, access log, jwtauth,
// authz) and a client with mtls, tracing and jwtauth.

const stackPolicy = `version: 1
rules:
  - name: client-reads-stock
    action: allow
    from:
      principals: ["spiffe://example.org/client"]
      requestPrincipals: ["*"]
    to:
      methods: [GET]
      paths: ["/v1/stock"]
`

var stackHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })

// stackSide is a running server and a way to make clients for it.
type stackSide struct {
	name      string
	url       string
	newClient func() *http.Client
}

func startServer(tb testing.TB, srv *http.Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeTLS(ln, "", "")
	}()
	tb.Cleanup(func() { _ = srv.Close(); <-done })
	return "https://" + ln.Addr().String() + "/v1/stock"
}

func bareSide(tb testing.TB, p svidPair, token string) stackSide {
	serverCfg, clientCfg := p.plainConfigs()
	url := startServer(tb, &http.Server{Handler: stackHandler, TLSConfig: serverCfg, ReadHeaderTimeout: 10 * time.Second})
	return stackSide{name: "anchor_net_http", url: url, newClient: func() *http.Client {
		return &http.Client{Transport: bearer{token: token, base: &http.Transport{TLSClientConfig: clientCfg.Clone(), ForceAttemptHTTP2: true}}}
	}}
}

// bearer sets the same Authorization header the ztkit client sends, so both
// sides carry the same bytes.
type bearer struct {
	token string
	base  *http.Transport
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

func (b bearer) CloseIdleConnections() { b.base.CloseIdleConnections() }

func ztkitSide(tb testing.TB, name string, p svidPair, jwt *jwtCase, cacheSize int) stackSide {
	logger := slog.New(logging.NewHandler(io.Discard, nil))
	v, err := jwtauth.NewVerifier(context.Background(), jwtauth.Config{
		CacheSize: cacheSize,
		Issuers: []jwtauth.Issuer{{
			Issuer: jwtIssuer, Audiences: []string{jwtAudience}, Algorithms: []string{jwt.alg},
			Keys: jwtauth.StaticKeys(map[string]crypto.PublicKey{"k1": jwt.pub}),
		}},
	})
	require.NoError(tb, err)
	tb.Cleanup(func() { v.Close() })
	policy, err := authz.ParsePolicy([]byte(stackPolicy))
	require.NoError(tb, err)
	a, err := authz.New(policy)
	require.NoError(tb, err)

	var h http.Handler = stackHandler
	h = authz.Middleware(a)(h)
	h = jwtauth.Middleware(v)(h)
	h = logging.AccessLog(logger)(h)
	h = tracing.Middleware(h)
	server := fixedSource{p.server, p.bundle}
	url := startServer(tb, mtls.NewHTTPServer("", h, server, mtls.AuthorizeID(benchClientID)))

	client := fixedSource{p.client, p.bundle}
	token := jwt.tokens[0]
	return stackSide{name: name, url: url, newClient: func() *http.Client {
		c := mtls.NewHTTPClient(client, mtls.AuthorizeID(benchServerID))
		c.Transport = tracing.Transport(jwtauth.Transport(c.Transport, jwtauth.StaticToken(token)))
		return c
	}}
}

func stackSides(tb testing.TB) []stackSide {
	p := newSVIDPair(tb)
	jwt := newJWTCase(tb, "ES256")
	return []stackSide{
		bareSide(tb, p, jwt.tokens[0]),
		ztkitSide(tb, "ztkit_full", p, jwt, 0),
		ztkitSide(tb, "ztkit_full_token_cache", p, jwt, 1024),
	}
}

func get(ctx context.Context, c *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestHTTPStackPairsAgree(t *testing.T) {
	for _, side := range stackSides(t) {
		c := side.newClient()
		code, body, err := get(t.Context(), c, side.url)
		require.NoError(t, err, side.name)
		require.Equal(t, http.StatusOK, code, side.name)
		require.Equal(t, "ok", body, side.name)
		c.CloseIdleConnections()
	}
}

func BenchmarkHTTPStack(b *testing.B) {
	for _, side := range stackSides(b) {
		b.Run(side.name, func(b *testing.B) {
			c := side.newClient()
			defer c.CloseIdleConnections()
			ctx := context.Background()
			if _, _, err := get(ctx, c, side.url); err != nil { // establish the connection
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if code, _, err := get(ctx, c, side.url); err != nil || code != http.StatusOK {
					b.Fatalf("request failed: %d %v", code, err)
				}
			}
		})
	}
}

// Bounded loopback load for latency percentiles: stackRequests requests
// spread over stackConns established connections.
const (
	stackRequests = 2000
	stackConns    = 16
)

func BenchmarkHTTPStackLoad(b *testing.B) {
	// The anchor runs first; the other sides also report their latency
	// added to its, per percentile: the cost of the stack per hop.
	var anchor map[string]time.Duration
	sides := stackSides(b)
	for _, side := range sides {
		b.Run(side.name, func(b *testing.B) {
			clients := make([]*http.Client, stackConns)
			for i := range clients {
				clients[i] = side.newClient()
				defer clients[i].CloseIdleConnections()
				if _, _, err := get(context.Background(), clients[i], side.url); err != nil {
					b.Fatal(err)
				}
			}
			var all []time.Duration
			for b.Loop() {
				lat, err := loadRun(clients, side.url)
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, lat...)
			}
			slices.Sort(all)
			got := map[string]time.Duration{}
			for _, q := range []struct {
				name string
				p    float64
			}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}} {
				got[q.name] = all[int(q.p*float64(len(all)-1))]
				b.ReportMetric(float64(got[q.name].Microseconds()), q.name+"-µs")
				if side.name != sides[0].name && anchor != nil {
					b.ReportMetric(float64((got[q.name] - anchor[q.name]).Microseconds()), "added-"+q.name+"-µs")
				}
			}
			if side.name == sides[0].name {
				anchor = got
			}
		})
	}
}

// loadRun sends stackRequests requests, each connection's share from its
// own goroutine, and returns every request's latency.
func loadRun(clients []*http.Client, url string) ([]time.Duration, error) {
	per := stackRequests / len(clients)
	lat := make([]time.Duration, per*len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for j := range per {
				start := time.Now()
				code, _, err := get(context.Background(), c, url)
				if err == nil && code != http.StatusOK {
					err = fmt.Errorf("status %d", code)
				}
				if err != nil {
					errs[i] = err
					return
				}
				lat[i*per+j] = time.Since(start)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return lat, nil
}
