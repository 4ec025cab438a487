package mtls_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/mtls/devagent"
)

// eventLog collects a source's events for assertions.
type eventLog struct {
	mu     sync.Mutex
	events []mtls.Event
}

func (l *eventLog) record(ev mtls.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *eventLog) count(kind mtls.EventKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ev := range l.events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

func (l *eventLog) last(kind mtls.EventKind) (mtls.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].Kind == kind {
			return l.events[i], true
		}
	}
	return mtls.Event{}, false
}

func startAgent(t *testing.T, cfg devagent.Config) *devagent.Agent {
	t.Helper()
	a, err := devagent.Start(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, a.Close()) })
	return a
}

func workloadSource(t *testing.T, a *devagent.Agent, id string, opts ...mtls.SourceOption) *mtls.WorkloadAPISource {
	t.Helper()
	addr, err := a.Socket(spiffeid.RequireFromString(id))
	require.NoError(t, err)
	src, err := mtls.NewWorkloadAPISource(t.Context(), append([]mtls.SourceOption{mtls.WithAddr(addr)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, src.Close()) })
	return src
}

func serial(t *testing.T, src mtls.Source) string {
	t.Helper()
	svid, err := src.GetX509SVID()
	require.NoError(t, err)
	return hexSerial(svid.Certificates[0])
}

func TestWorkloadAPISourceServesSVIDAndEvents(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	var events eventLog
	src := workloadSource(t, a, serverID, mtls.WithEvents(events.record))

	svid, err := src.GetX509SVID()
	require.NoError(t, err)
	assert.Equal(t, serverID, svid.ID.String())
	b, err := src.GetX509BundleForTrustDomain(a.TrustDomain())
	require.NoError(t, err)
	assert.True(t, b.Equal(a.X509Bundle()))

	ev, ok := events.last(mtls.SVIDUpdated)
	require.True(t, ok)
	assert.Equal(t, serverID, ev.ID.String())
	assert.Equal(t, svid.Certificates[0].NotAfter, ev.NotAfter)

	before := serial(t, src)
	a.Rotate()
	require.Eventually(t, func() bool { return serial(t, src) != before }, 10*time.Second, 10*time.Millisecond)
	assert.GreaterOrEqual(t, events.count(mtls.SVIDUpdated), 2)
}

func TestWorkloadAPISourceDownAtStart(t *testing.T) {
	addr := "unix://" + filepath.Join(t.TempDir(), "missing.sock")
	start := time.Now()
	_, err := mtls.NewWorkloadAPISource(t.Context(), mtls.WithAddr(addr), mtls.WithReadyTimeout(300*time.Millisecond))
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, mtls.ErrNotReady)
	assert.Contains(t, err.Error(), addr)
	assert.Contains(t, err.Error(), "running")
	assert.Less(t, elapsed, 5*time.Second, "the constructor must give up at its readiness timeout")
}

func TestWorkloadAPISourceNeedsAnAddress(t *testing.T) {
	t.Setenv("SPIFFE_ENDPOINT_SOCKET", "")
	_, err := mtls.NewWorkloadAPISource(t.Context())
	assert.ErrorIs(t, err, mtls.ErrNoAddress)

	_, err = mtls.NewWorkloadAPISource(t.Context(), mtls.WithAddr("/no/scheme.sock"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid Workload API address")
}

func TestWorkloadAPISourceRecoversAfterAgentRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := devagent.Start(t.Context(), devagent.Config{SocketDir: dir})
	require.NoError(t, err)
	var events eventLog
	src := workloadSource(t, first, serverID, mtls.WithEvents(events.record))
	oldSerial := serial(t, src)
	require.NoError(t, first.Close())

	require.Eventually(t, func() bool { return events.count(mtls.SourceError) > 0 }, 10*time.Second, 10*time.Millisecond,
		"losing the agent must be reported")
	assert.Equal(t, oldSerial, serial(t, src), "the last good SVID stays in use while the agent is away")

	second := startAgent(t, devagent.Config{SocketDir: dir})
	_, err = second.Socket(spiffeid.RequireFromString(serverID))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		b, err := src.GetX509BundleForTrustDomain(second.TrustDomain())
		return err == nil && b.Equal(second.X509Bundle())
	}, 20*time.Second, 20*time.Millisecond)
	assert.NotEqual(t, oldSerial, serial(t, src))
}

func TestClosedSourceRefuses(t *testing.T) {
	a := startAgent(t, devagent.Config{})
	addr, err := a.Socket(spiffeid.RequireFromString(serverID))
	require.NoError(t, err)
	src, err := mtls.NewWorkloadAPISource(t.Context(), mtls.WithAddr(addr))
	require.NoError(t, err)
	require.NoError(t, src.Close())
	_, err = src.GetX509SVID()
	assert.ErrorIs(t, err, mtls.ErrClosed)
	assert.NoError(t, src.Close(), "Close is idempotent")
}
