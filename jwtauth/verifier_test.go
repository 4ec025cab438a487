package jwtauth

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyAcceptsEachAlgorithm(t *testing.T) {
	cases := []struct {
		alg string
		key any
	}{
		{"RS256", rsaKey(t, 0)}, {"RS384", rsaKey(t, 0)}, {"RS512", rsaKey(t, 0)},
		{"PS256", rsaKey(t, 0)}, {"PS384", rsaKey(t, 0)}, {"PS512", rsaKey(t, 0)},
		{"ES256", ecKey(t, elliptic.P256())}, {"ES384", ecKey(t, elliptic.P384())}, {"ES512", ecKey(t, elliptic.P521())},
		{"EdDSA", edKey(t)},
	}
	for _, tc := range cases {
		t.Run(tc.alg, func(t *testing.T) {
			v := staticVerifier(t, map[string]any{"k1": tc.key}, nil)
			tok := sign(t, tc.alg, "k1", tc.key, claimsFor(map[string]any{"aud": []string{"other", testAudience}}))
			c, err := v.Verify(context.Background(), tok)
			require.NoError(t, err)
			assert.Equal(t, testIssuer, c.Issuer())
			assert.Equal(t, "user-1", c.Subject())
			assert.Equal(t, []string{"other", testAudience}, c.Audience())
			assert.True(t, c.HasScope("orders:write"))
			assert.WithinDuration(t, time.Now().Add(300*time.Second), c.Expiry(), 2*time.Second)
		})
	}
}

func TestVerifyHMACWithConfiguredSecret(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	v, err := NewVerifier(context.Background(), Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Secret: secret,
	}}})
	require.NoError(t, err)
	defer v.Close()
	_, err = v.Verify(context.Background(), sign(t, "HS256", "", secret, claimsFor(nil)))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), sign(t, "HS256", "", []byte(strings.Repeat("x", 32)), claimsFor(nil)))
	assert.ErrorIs(t, err, ErrBadSignature)
	_, err = v.Verify(context.Background(), sign(t, "HS512", "", secret, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrAlgorithm, "HS512 is not pinned")
}

func TestVerifyTokenWithoutKidUsesOnlyKey(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"only": k}, nil)
	_, err := v.Verify(context.Background(), sign(t, "ES256", "", k, claimsFor(nil)))
	assert.NoError(t, err)
}

func TestVerifyClockSkew(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	now := time.Now().Unix()
	_, err := v.Verify(context.Background(), sign(t, "ES256", "k", k, claimsFor(map[string]any{"exp": now - 10})))
	assert.NoError(t, err, "10s past exp is within the default 30s skew")
	_, err = v.Verify(context.Background(), sign(t, "ES256", "k", k, claimsFor(map[string]any{"nbf": now + 10})))
	assert.NoError(t, err, "nbf 10s ahead is within the skew")
}

func TestRequiredClaimsAndType(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) {
		c.Issuers[0].RequiredClaims = []string{"jti"}
		c.Issuers[0].Type = "at+jwt"
	})
	ctx := context.Background()
	h := map[string]any{"alg": "ES256", "kid": "k", "typ": "application/AT+JWT"}
	_, err := v.Verify(ctx, signHeader(t, "ES256", k, h, claimsFor(map[string]any{"jti": "1"})))
	assert.NoError(t, err)
	_, err = v.Verify(ctx, signHeader(t, "ES256", k, h, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrClaims)
	h["typ"] = "JWT"
	_, err = v.Verify(ctx, signHeader(t, "ES256", k, h, claimsFor(map[string]any{"jti": "1"})))
	assert.ErrorIs(t, err, ErrClaims)
}

func TestScopesFromScpArray(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	c, err := v.Verify(context.Background(), sign(t, "ES256", "k", k, claimsFor(map[string]any{"scope": nil, "scp": []string{"a", "b"}})))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, c.Scopes())
	got, ok := c.Get("sub")
	assert.True(t, ok)
	assert.Equal(t, "user-1", got)
}

func TestConfigErrorsNameEveryField(t *testing.T) {
	_, err := NewVerifier(context.Background(), Config{
		ClockSkew: time.Hour,
		Issuers: []Issuer{
			{Issuer: "a"},
			{Issuer: "b", Audiences: []string{"x"}, Keys: JWKSURL("http://keys.example/jwks"), Algorithms: []string{"none", "HS256"}},
			{Issuer: "c", Audiences: []string{"x"}, Secret: []byte("short"), Keys: StaticJWKS([]byte(`{}`))},
		},
	})
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"ClockSkew", "Issuers[0].Audiences", "Issuers[0].Keys", `Issuers[1].Keys: key URL http://keys.example/jwks must use https`,
		`Issuers[1].Algorithms: "none" is never allowed`, "Issuers[1].Algorithms: HS256 needs a Secret",
		"Issuers[2].Secret: a shared secret cannot be mixed with public keys",
	} {
		assert.Contains(t, msg, want)
	}
}

func TestConfigRejectsPrivateAndWeakKeys(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	_, err := NewVerifier(context.Background(), Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticKeys(map[string]crypto.PublicKey{"k": k}),
	}}})
	assert.ErrorContains(t, err, "unsupported key type *ecdsa.PrivateKey")
	priv := []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"p","x":"` + b64Coord(k.X) + `","y":"` + b64Coord(k.Y) + `","d":"` + b64Coord(k.D) + `"}]}`)
	_, err = NewVerifier(context.Background(), Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticJWKS(priv),
	}}})
	assert.ErrorContains(t, err, "private key material")
}

func TestStaticJWKS(t *testing.T) {
	ec, ed := ecKey(t, elliptic.P256()), edKey(t)
	v, err := NewVerifier(context.Background(), Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience},
		Keys: StaticJWKS(jwksJSON(t, map[string]any{"ec": ec, "ed": ed})),
	}}})
	require.NoError(t, err)
	defer v.Close()
	_, err = v.Verify(context.Background(), sign(t, "ES256", "ec", ec, claimsFor(nil)))
	assert.NoError(t, err)
	_, err = v.Verify(context.Background(), sign(t, "EdDSA", "ed", ed, claimsFor(nil)))
	assert.NoError(t, err)
	_, err = v.Verify(context.Background(), sign(t, "EdDSA", "ec", ed, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey, "kid of an EC key with alg EdDSA")
}

func TestJWKSKeyAlgAndUseAreHonoured(t *testing.T) {
	rsa := rsaKey(t, 2)
	ec := ecKey(t, elliptic.P256())
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(jwksJSON(t, map[string]any{"rsa": rsa, "ec": ec}), &set))
	for _, k := range set.Keys {
		switch k["kid"] {
		case "rsa":
			k["alg"] = "RS256"
		case "ec":
			k["use"] = "enc"
		}
	}
	extra := jwksJSON(t, map[string]any{"sig": ecKey(t, elliptic.P256())}) // so the set keeps a usable key
	var more struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(extra, &more))
	set.Keys = append(set.Keys, more.Keys...)
	v, err := NewVerifier(context.Background(), Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticJWKS(mustJSON(t, set)),
	}}})
	require.NoError(t, err)
	defer v.Close()
	ctx := context.Background()
	_, err = v.Verify(ctx, sign(t, "RS256", "rsa", rsa, claimsFor(nil)))
	assert.NoError(t, err)
	_, err = v.Verify(ctx, sign(t, "PS256", "rsa", rsa, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey, "the key is pinned to RS256")
	_, err = v.Verify(ctx, sign(t, "ES256", "ec", ec, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey, "an encryption key never verifies")
}
