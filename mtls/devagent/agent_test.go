package devagent_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/proto/spiffe/workload"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/mtls/devagent"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var ordersID = spiffeid.RequireFromString("spiffe://example.org/orders")

func startAgent(t *testing.T, cfg devagent.Config) *devagent.Agent {
	t.Helper()
	a, err := devagent.Start(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, a.Close()) })
	return a
}

func client(t *testing.T, addr string) *workloadapi.Client {
	t.Helper()
	c, err := workloadapi.New(t.Context(), workloadapi.WithAddr(addr))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestGoSPIFFEClientFetchesX509(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(addr, "unix:///"), addr)

	c := client(t, addr)
	svid, err := c.FetchX509SVID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, ordersID, svid.ID)
	leaf := svid.Certificates[0]
	assert.WithinDuration(t, time.Now().Add(time.Hour), leaf.NotAfter, time.Minute)

	bundles, err := c.FetchX509Bundles(t.Context())
	require.NoError(t, err)
	b, err := bundles.GetX509BundleForTrustDomain(a.TrustDomain())
	require.NoError(t, err)
	assert.True(t, b.Equal(a.X509Bundle()))

	ctxX509, err := c.FetchX509Context(t.Context())
	require.NoError(t, err)
	_, chains, err := verifyWith(ctxX509, svid)
	require.NoError(t, err)
	assert.NotEmpty(t, chains)
}

func TestGoSPIFFEClientJWT(t *testing.T) {
	a := startAgent(t, devagent.Config{TrustDomain: "dev.test"})
	id := spiffeid.RequireFromString("spiffe://dev.test/billing")
	addr, err := a.Socket(id)
	require.NoError(t, err)
	c := client(t, addr)

	svid, err := c.FetchJWTSVID(t.Context(), jwtsvid.Params{Audience: "orders"})
	require.NoError(t, err)
	assert.Equal(t, id, svid.ID)
	assert.Equal(t, []string{"orders"}, svid.Audience)

	bundles, err := c.FetchJWTBundles(t.Context())
	require.NoError(t, err)
	parsed, err := jwtsvid.ParseAndValidate(svid.Marshal(), bundles, []string{"orders"})
	require.NoError(t, err)
	assert.Equal(t, id, parsed.ID)

	_, err = jwtsvid.ParseAndValidate(svid.Marshal(), bundles, []string{"payments"})
	assert.Error(t, err, "a JWT-SVID for another audience must not validate")

	validated, err := c.ValidateJWTSVID(t.Context(), svid.Marshal(), "orders")
	require.NoError(t, err)
	assert.Equal(t, id, validated.ID)
	_, err = c.ValidateJWTSVID(t.Context(), svid.Marshal(), "payments")
	assert.Equal(t, codes.InvalidArgument, status.Code(err))

	_, err = c.FetchJWTSVID(t.Context(), jwtsvid.Params{Audience: "orders", Subject: spiffeid.RequireFromString("spiffe://dev.test/other")})
	assert.Equal(t, codes.PermissionDenied, status.Code(err))
}

func TestRejectsCallsWithoutSecurityHeader(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	wl := workload.NewSpiffeWorkloadAPIClient(conn)

	_, err = wl.FetchJWTSVID(t.Context(), &workload.JWTSVIDRequest{Audience: []string{"x"}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.Contains(t, err.Error(), "security header missing")

	stream, err := wl.FetchX509SVID(t.Context(), &workload.X509SVIDRequest{})
	require.NoError(t, err)
	_, err = stream.Recv()
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
}

func TestRotatePushesNewSVIDs(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	c := client(t, addr)

	updates := make(chan *workloadapi.X509Context, 8)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.WatchX509Context(ctx, watcher{updates})
	}()
	t.Cleanup(func() { cancel(); <-done })

	first := recv(t, updates).DefaultSVID().Certificates[0]
	a.Rotate()
	second := recv(t, updates).DefaultSVID().Certificates[0]
	assert.NotEqual(t, first.SerialNumber, second.SerialNumber)
}

func TestRotatesAtHalfTTL(t *testing.T) {
	a := startAgent(t, devagent.Config{SVIDTTL: 400 * time.Millisecond})
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	c := client(t, addr)
	first, err := c.FetchX509SVID(t.Context())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		now, err := c.FetchX509SVID(t.Context())
		return err == nil && now.Certificates[0].SerialNumber.Cmp(first.Certificates[0].SerialNumber) != 0
	}, 10*time.Second, 20*time.Millisecond)
}

func TestSocketsArePrivateAndRemovedOnClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sock")
	a, err := devagent.Start(t.Context(), devagent.Config{SocketDir: dir})
	require.NoError(t, err)
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	again, err := a.Socket(ordersID)
	require.NoError(t, err)
	assert.Equal(t, addr, again, "one socket per identity")

	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	path := strings.TrimPrefix(addr, "unix://")
	_, err = os.Stat(path)
	require.NoError(t, err)

	require.NoError(t, a.Close())
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = a.Socket(ordersID)
	assert.Error(t, err)
}

func TestSocketRefusesOtherTrustDomain(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	_, err := a.Socket(spiffeid.RequireFromString("spiffe://other.org/x"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `not in the agent's trust domain "example.org"`)
}

func TestStartValidatesConfig(t *testing.T) {
	_, err := devagent.Start(t.Context(), devagent.Config{TrustDomain: "Not A Domain", SVIDTTL: time.Millisecond, JWTTTL: time.Millisecond})
	require.Error(t, err)
	for _, field := range []string{"Config.TrustDomain", "Config.SVIDTTL", "Config.JWTTTL"} {
		assert.Contains(t, err.Error(), field)
	}
}

func TestStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	a, err := devagent.Start(ctx, devagent.Config{})
	require.NoError(t, err)
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	cancel()
	require.Eventually(t, func() bool {
		_, err := os.Stat(strings.TrimPrefix(addr, "unix://"))
		return os.IsNotExist(err)
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, a.Close())
}

type watcher struct{ updates chan *workloadapi.X509Context }

func (w watcher) OnX509ContextUpdate(c *workloadapi.X509Context) { w.updates <- c }
func (w watcher) OnX509ContextWatchError(error)                  {}

func recv(t *testing.T, ch chan *workloadapi.X509Context) *workloadapi.X509Context {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no X.509 context update within 10s")
		return nil
	}
}

func TestValidateJWTSVIDRefusesMalformedTokens(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	addr, err := a.Socket(ordersID)
	require.NoError(t, err)
	c := client(t, addr)
	for _, token := range []string{"", "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy94In0."} {
		_, err := c.ValidateJWTSVID(t.Context(), token, "orders")
		assert.Equal(t, codes.InvalidArgument, status.Code(err), "token %q", token)
	}
}
