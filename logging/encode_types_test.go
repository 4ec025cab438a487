package logging

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kmsKey is a signer of another library's making, with its key material in
// an exported field and its methods on the pointer.
type kmsKey struct{ Material string }

func (k *kmsKey) Public() crypto.PublicKey { return nil }
func (k *kmsKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, nil
}

// unwrapper is a crypto.Decrypter by value.
type unwrapper struct{ Material string }

func (unwrapper) Public() crypto.PublicKey { return nil }
func (unwrapper) Decrypt(io.Reader, []byte, crypto.DecrypterOpts) ([]byte, error) {
	return nil, nil
}

// loggedSigner is a crypto.Signer that asks to be logged by its material.
type loggedSigner struct{ kmsKey }

func (s loggedSigner) LogValue() slog.Value { return slog.StringValue(s.Material) }

type keyHolder struct {
	Name  string
	Key   crypto.PrivateKey
	Inner struct{ Signer crypto.Signer }
}

// embedsKey is itself a crypto.Signer, through the promoted methods.
type embedsKey struct {
	*ecdsa.PrivateKey
	ID string
}

// embedsDH is not: the embedded key's fields would spread into it.
type embedsDH struct {
	*ecdh.PrivateKey
	ID string
}

type hidden struct{ Key *ecdsa.PrivateKey }

type embedsHidden struct {
	hidden
	ID string
}

func TestPrivateKeysNeverLogged(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	kms := &kmsKey{Material: "kms-material-0123456789"}
	unwrap := unwrapper{Material: "unwrap-material-0123456789"}
	logged := &loggedSigner{kmsKey{Material: "logvaluer-material-0123456789"}}

	// Each key's secret as text in any encoding the handler could write.
	secrets := []string{rsaKey.D.String(), rsaKey.Primes[0].String(), rsaKey.Primes[1].String(), ecKey.D.String(),
		string(edKey.Seed()), hex.EncodeToString(edKey.Seed()), base64.StdEncoding.EncodeToString(edKey.Seed()),
		string(xKey.Bytes()), hex.EncodeToString(xKey.Bytes()), kms.Material, unwrap.Material, logged.Material}
	keys := map[string]any{
		"rsa": rsaKey, "rsa_value": *rsaKey, "ecdsa": ecKey, "ecdsa_value": *ecKey,
		"ed25519": edKey, "ed25519_ptr": &edKey, "ecdh": xKey, "ecdh_value": *xKey,
		"signer": kms, "signer_value": *kms, "decrypter": unwrap, "decrypter_ptr": &unwrap,
		"logvaluer": logged, "logvaluer_value": *logged,
	}
	l, buf := capture(t, nil)
	for name, k := range keys {
		buf.Reset()
		h := keyHolder{Name: "n", Key: k}
		h.Inner.Signer = kms
		l.Info("key", name, k,
			"struct", h,
			"map", map[string]any{"k": k, "list": []any{k}},
			"slice", []any{k},
			slog.Group("g", slog.Any("nested", map[string][]any{"x": {k}})),
			"embedded", embedsKey{PrivateKey: ecKey, ID: "e1"},
			"embedded_dh", embedsDH{PrivateKey: xKey, ID: "e2"},
			"anon_embed", struct{ ecdsa.PrivateKey }{*ecKey}, // a Signer through its pointer
			"hidden", embedsHidden{hidden: hidden{Key: ecKey}, ID: "h1"},
			"value", slog.AnyValue(k),
		)
		out := buf.String()
		for _, s := range secrets {
			assert.NotContains(t, out, s, "%s: key material logged", name)
		}
		recs := lines(t, buf.Bytes())
		require.Len(t, recs, 1)
		r := recs[0]
		const mark = "[REDACTED:private_key]"
		assert.Equal(t, mark, r[name], name)
		assert.Equal(t, mark, r["struct"].(map[string]any)["Key"], name)
		assert.Equal(t, mark, r["struct"].(map[string]any)["Inner"].(map[string]any)["Signer"], name)
		assert.Equal(t, mark, r["map"].(map[string]any)["k"], name)
		assert.Equal(t, []any{mark}, r["map"].(map[string]any)["list"], name)
		assert.Equal(t, []any{mark}, r["slice"], name)
		assert.Equal(t, []any{mark}, r["g"].(map[string]any)["nested"].(map[string]any)["x"], name)
		assert.Equal(t, mark, r["embedded"], name)
		assert.Equal(t, map[string]any{"PrivateKey": mark, "ID": "e2"}, r["embedded_dh"], name)
		assert.Equal(t, mark, r["anon_embed"], name)
		assert.Equal(t, map[string]any{"Key": mark, "ID": "h1"}, r["hidden"], name)
		assert.Equal(t, mark, r["value"], name)
	}
	buf.Reset()
	l.Info("public", "pub", &ecKey.PublicKey, "nil", (*rsa.PrivateKey)(nil))
	assert.NotContains(t, buf.String(), redactedPrefix, "public keys and nil keys are not redacted")
}

func TestURLPasswordsNeverLogged(t *testing.T) {
	const pw = "s3cr3tPassw0rd"
	l, buf := capture(t, nil)
	cases := []struct {
		raw, want string
	}{
		{"https://alice:" + pw + "@example.com/p?q=1", "https://alice:[REDACTED:url_password]@example.com/p?q=1"},
		{"redis://:pa%2Fss" + pw + "@cache:6379/0", "redis://:[REDACTED:url_password]@cache:6379/0"},
		{"postgres://app@db/orders", "postgres://app@db/orders"},
		{"https://example.com/x", "https://example.com/x"},
	}
	for _, c := range cases {
		u, err := url.Parse(c.raw)
		require.NoError(t, err)
		buf.Reset()
		l.Info("dial", "target", *u, "ptr", u, "ui", u.User, "ui_value", derefUserinfo(u.User),
			"nested", map[string]any{"u": *u, "list": []url.URL{*u}}, "holder", struct{ Target url.URL }{*u})
		out := buf.String()
		assert.NotContains(t, out, pw, c.raw)
		assert.NotContains(t, out, "pa%2Fss", c.raw)
		r := lines(t, buf.Bytes())[0]
		assert.Equal(t, c.want, r["target"], c.raw)
		assert.Equal(t, c.want, r["ptr"], c.raw)
		assert.Equal(t, c.want, r["nested"].(map[string]any)["u"], c.raw)
		assert.Equal(t, []any{c.want}, r["nested"].(map[string]any)["list"], c.raw)
		assert.Equal(t, c.want, r["holder"].(map[string]any)["Target"], c.raw)
		if u.User != nil {
			want := u.User.Username()
			if _, has := u.User.Password(); has {
				want += ":[REDACTED:url_password]"
			}
			assert.Equal(t, want, r["ui"], c.raw)
			assert.Equal(t, want, r["ui_value"], c.raw)
		}
	}
	buf.Reset()
	l.Info("ui", "ui", url.UserPassword("alice", pw))
	assert.Equal(t, "alice:[REDACTED:url_password]", lines(t, buf.Bytes())[0]["ui"])
	assert.False(t, strings.Contains(buf.String(), pw))
}

func derefUserinfo(ui *url.Userinfo) any {
	if ui == nil {
		return nil
	}
	return *ui
}
