package jwtauth

import (
	"context"
	"crypto/elliptic"
	"encoding/json"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kidlessJWKS renders the public halves of keys, in order, without kids.
func kidlessJWKS(t *testing.T, keys []any) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		key, err := jwk.Import(publicOf(k))
		require.NoError(t, err)
		require.NoError(t, set.AddKey(key))
	}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	return b
}

func TestKidlessTokenTriesEveryKidlessKey(t *testing.T) {
	keys := make([]any, maxKeyCandidates+1)
	for i := range keys {
		keys[i] = ecKey(t, elliptic.P256())
	}
	ctx := context.Background()

	v := mustVerifier(t, Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticJWKS(kidlessJWKS(t, keys[:maxKeyCandidates])),
	}}}, nil)
	for i, k := range keys[:maxKeyCandidates] {
		_, err := v.Verify(ctx, sign(t, "ES256", "", k, claimsFor(nil)))
		assert.NoError(t, err, "key %d of the set", i)
	}
	_, err := v.Verify(ctx, sign(t, "ES256", "", ecKey(t, elliptic.P256()), claimsFor(nil)))
	assert.ErrorIs(t, err, ErrBadSignature)

	// The number of keys tried for one token is bounded.
	v = mustVerifier(t, Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticJWKS(kidlessJWKS(t, keys)),
	}}}, nil)
	_, err = v.Verify(ctx, sign(t, "ES256", "", keys[0], claimsFor(nil)))
	assert.NoError(t, err)
	_, err = v.Verify(ctx, sign(t, "ES256", "", keys[maxKeyCandidates], claimsFor(nil)))
	assert.ErrorIs(t, err, ErrBadSignature, "keys beyond maxKeyCandidates are not tried")
}

func TestKidlessTokenSkipsKeysOfOtherAlgorithms(t *testing.T) {
	rsaK, ec := rsaKey(t, 0), ecKey(t, elliptic.P256())
	v := mustVerifier(t, Config{Issuers: []Issuer{{
		Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticJWKS(kidlessJWKS(t, []any{rsaK, ec})),
	}}}, nil)
	ctx := context.Background()
	_, err := v.Verify(ctx, sign(t, "ES256", "", ec, claimsFor(nil)))
	assert.NoError(t, err)
	_, err = v.Verify(ctx, sign(t, "RS256", "", rsaK, claimsFor(nil)))
	assert.NoError(t, err)
}
