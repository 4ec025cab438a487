package jwtauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testIssuer   = "https://issuer.example"
	testAudience = "api://orders"
)

// testKeys caches generated keys per test binary; RSA generation is slow.
type testKeys struct {
	once sync.Once
	rsa  []*rsa.PrivateKey
}

var rsaKeys testKeys

func rsaKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	rsaKeys.once.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys.rsa = append(rsaKeys.rsa, k)
		}
	})
	return rsaKeys.rsa[i]
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	require.NoError(t, err)
	return k
}

func edKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// b64Coord encodes a P-256 coordinate or scalar at its fixed 32-byte width,
// as JWKs require; big.Int.Bytes drops leading zero bytes.
func b64Coord(n *big.Int) string { return b64(n.FillBytes(make([]byte, 32))) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// claimsFor returns valid claims for testIssuer/testAudience.
func claimsFor(extra map[string]any) map[string]any {
	now := time.Now().Unix()
	m := map[string]any{
		"iss": testIssuer, "sub": "user-1", "aud": testAudience,
		"exp": now + 300, "iat": now, "nbf": now, "scope": "orders:read orders:write",
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// signRaw signs header.payload (given as JSON) with key for alg.
func signRaw(t testing.TB, alg string, key any, headerJSON, claimsJSON []byte) string {
	t.Helper()
	input := b64(headerJSON) + "." + b64(claimsJSON)
	return input + "." + b64(rawSignature(t, alg, key, []byte(input)))
}

func rawSignature(t testing.TB, alg string, key any, input []byte) []byte {
	t.Helper()
	a, ok := lookupAlgorithm(alg)
	require.True(t, ok, alg)
	switch k := key.(type) {
	case []byte:
		m := hmac.New(a.hash.New, k)
		m.Write(input)
		return m.Sum(nil)
	case *rsa.PrivateKey:
		if a.pss {
			sig, err := rsa.SignPSS(rand.Reader, k, a.hash, digest(a.hash, input), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
			require.NoError(t, err)
			return sig
		}
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, a.hash, digest(a.hash, input))
		require.NoError(t, err)
		return sig
	case *ecdsa.PrivateKey:
		if a.curve == nil {
			a.curve, a.hash = k.Curve, crypto.SHA256
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, digest(a.hash, input))
		require.NoError(t, err)
		size := (k.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig
	case ed25519.PrivateKey:
		return ed25519.Sign(k, input)
	}
	t.Fatalf("unsupported key %T", key)
	return nil
}

// sign makes a token with the given header fields and claims.
func sign(t testing.TB, alg, kid string, key any, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return signRaw(t, alg, key, mustJSON(t, h), mustJSON(t, claims))
}

func signHeader(t testing.TB, alg string, key any, h map[string]any, claims map[string]any) string {
	t.Helper()
	return signRaw(t, alg, key, mustJSON(t, h), mustJSON(t, claims))
}

func publicOf(key any) crypto.PublicKey {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	}
	return nil
}

// jwksJSON renders a JWK Set of the public halves of keys by kid.
func jwksJSON(t testing.TB, keys map[string]any) []byte {
	t.Helper()
	set := jwk.NewSet()
	for kid, k := range keys {
		key, err := jwk.Import(publicOf(k))
		require.NoError(t, err)
		require.NoError(t, key.Set(jwk.KeyIDKey, kid))
		require.NoError(t, set.AddKey(key))
	}
	return mustJSON(t, set)
}

// staticVerifier builds a verifier for testIssuer with static keys.
func staticVerifier(t testing.TB, keys map[string]any, mod func(*Config)) *Verifier {
	t.Helper()
	pubs := map[string]crypto.PublicKey{}
	for kid, k := range keys {
		pubs[kid] = publicOf(k)
	}
	cfg := Config{Issuers: []Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticKeys(pubs)}}}
	return mustVerifier(t, cfg, mod)
}

// mustVerifier builds a verifier from cfg after mod, closed at cleanup.
func mustVerifier(t testing.TB, cfg Config, mod func(*Config)) *Verifier {
	t.Helper()
	if mod != nil {
		mod(&cfg)
	}
	v, err := NewVerifier(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { v.Close() })
	return v
}

// fakeClock is a settable clock for Config.now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
