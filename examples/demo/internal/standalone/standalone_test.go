package standalone_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ztkit/ztkit/examples/demo/internal/standalone"
	"github.com/ztkit/ztkit/examples/demo/inventory"
	"github.com/ztkit/ztkit/examples/demo/tokens"
	"github.com/ztkit/ztkit/mtls/devagent"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBuildAgainstAgentAndIssuer(t *testing.T) {
	agent, err := devagent.Start(t.Context(), devagent.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, agent.Close()) })
	addr, err := agent.Socket(spiffeid.RequireFromString("spiffe://example.org/inventory"))
	require.NoError(t, err)
	issuer, err := tokens.Start("ztkit-demo")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, issuer.Close()) })
	dir := t.TempDir()
	caFile := filepath.Join(dir, "issuer.pem")
	require.NoError(t, os.WriteFile(caFile, issuer.CACertPEM(), 0o600))

	fs := flag.NewFlagSet("inventory", flag.ContinueOnError)
	flags := standalone.Register(fs, "inventory", "127.0.0.1:0")
	require.NoError(t, fs.Parse([]string{
		"-spiffe-socket", addr, "-issuer", issuer.Issuer(), "-issuer-ca", caFile,
		"-log-file", filepath.Join(dir, "inventory.log"),
	}))
	stack, err := flags.Build(t.Context(), "inventory", inventory.DefaultPolicy)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, stack.Close()) })

	tok, err := issuer.Token("alice", time.Minute)
	require.NoError(t, err)
	claims, err := stack.Verifier.Verify(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, "alice", claims.Subject())
	svid, err := stack.Source.GetX509SVID()
	require.NoError(t, err)
	assert.Equal(t, "spiffe://example.org/inventory", svid.ID.String())
}

func TestBuildNeedsIssuer(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	flags := standalone.Register(fs, "x", ":0")
	require.NoError(t, fs.Parse(nil))
	_, err := flags.Build(t.Context(), "x", inventory.DefaultPolicy)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-issuer is required")
}
