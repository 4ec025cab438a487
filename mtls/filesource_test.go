package mtls_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/mtls"
)

type svidFiles struct {
	dir, cert, key, bundle string
}

func newSVIDFiles(t *testing.T) svidFiles {
	dir := t.TempDir()
	return svidFiles{dir: dir, cert: filepath.Join(dir, "svid.pem"), key: filepath.Join(dir, "svid_key.pem"), bundle: filepath.Join(dir, "bundle.pem")}
}

func pemOf(t *testing.T, svid *x509svid.SVID) (cert, key []byte) {
	t.Helper()
	cert, key, err := svid.Marshal()
	require.NoError(t, err)
	return cert, key
}

// startFileSource writes a fresh SVID from ca and its bundle, and watches them.
func startFileSource(t *testing.T, ca *testCA) (svidFiles, *mtls.FileSource, *eventLog) {
	t.Helper()
	files := newSVIDFiles(t)
	cert, key := pemOf(t, ca.svid(t, serverID))
	bundle, err := ca.bundle().Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files.cert, cert, 0o600))
	require.NoError(t, os.WriteFile(files.key, key, 0o600))
	require.NoError(t, os.WriteFile(files.bundle, bundle, 0o600))

	events := &eventLog{}
	src, err := mtls.NewFileSource(files.cert, files.key, files.bundle, mtls.WithEvents(events.record))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, src.Close()) })
	return files, src, events
}

// writeAtomically replaces path by renaming a complete temporary file over it.
func writeAtomically(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, data, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// writeInPlace truncates path and writes it again, as a naive writer does.
func writeInPlace(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	require.NoError(t, err)
	half := len(data) / 2
	_, err = f.Write(data[:half])
	require.NoError(t, err)
	_, err = f.Write(data[half:])
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestFileSourceReloads(t *testing.T) {
	ca := newTestCA(t, "example.org")
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, path string, data []byte)
	}{
		{"atomic rename", writeAtomically},
		{"truncate and write", writeInPlace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, src, events := startFileSource(t, ca)
			first := serial(t, src)

			next := ca.svid(t, serverID)
			cert, key := pemOf(t, next)
			// Key first, then certificate: in between the pair does not
			// match, and the old SVID must stay in use.
			tc.write(t, files.key, key)
			tc.write(t, files.cert, cert)
			want := hexSerial(next.Certificates[0])
			require.Eventually(t, func() bool { return serial(t, src) == want }, 10*time.Second, 10*time.Millisecond)
			assert.NotEqual(t, first, want)
			assert.GreaterOrEqual(t, events.count(mtls.SVIDUpdated), 2)
		})
	}
}

func TestFileSourceKeepsLastGoodOnBrokenFile(t *testing.T) {
	ca := newTestCA(t, "example.org")
	files, src, events := startFileSource(t, ca)
	good := serial(t, src)

	writeAtomically(t, files.cert, []byte("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"))
	require.Eventually(t, func() bool { return events.count(mtls.SourceError) > 0 }, 10*time.Second, 10*time.Millisecond)
	ev, _ := events.last(mtls.SourceError)
	assert.Contains(t, ev.Err.Error(), files.cert, "the error names the broken file")
	assert.Contains(t, ev.Err.Error(), "still serving serial "+good)
	assert.Equal(t, good, serial(t, src))

	err := src.Reload()
	require.Error(t, err, "a manual reload reports the same problem")

	// A certificate from a CA the bundle does not hold is refused too.
	stranger := newTestCA(t, "example.org")
	cert, key := pemOf(t, stranger.svid(t, serverID))
	writeAtomically(t, files.key, key)
	writeAtomically(t, files.cert, cert)
	require.Error(t, src.Reload())
	assert.Equal(t, good, serial(t, src))
}

func TestFileSourceFailsOnInvalidFirstLoad(t *testing.T) {
	files := newSVIDFiles(t)
	_, err := mtls.NewFileSource(files.cert, files.key, files.bundle)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading SVID certificate")
}
