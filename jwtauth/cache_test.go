package jwtauth

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheServesRepeatedTokens(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.CacheSize = 8 })
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	c1, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	c2, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Same(t, c1, c2, "the second call is a cache hit")
	assert.Equal(t, 1, v.cache.len())

	_, err = v.Verify(context.Background(), tok[:len(tok)-2]+"AA")
	assert.ErrorIs(t, err, ErrBadSignature, "a different token is never a hit")
}

func TestCacheIsBounded(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.CacheSize = 3 })
	for i := range 10 {
		_, err := v.Verify(context.Background(), sign(t, "ES256", "k", k, claimsFor(map[string]any{"jti": fmt.Sprint(i)})))
		require.NoError(t, err)
		assert.LessOrEqual(t, v.cache.len(), 3)
	}
}

func TestCacheEntryNeverOutlivesExp(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	clock := newFakeClock()
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.CacheSize = 8; c.now = clock.Now })
	tok := sign(t, "ES256", "k", k, claimsFor(map[string]any{"exp": clock.Now().Unix() + 60}))
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	clock.Advance(59 * time.Second)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	clock.Advance(2 * time.Second)
	c, ok := v.cache.get(tok, clock.Now())
	assert.False(t, ok, "the entry ends at exp, even though skew would still accept the token")
	assert.Nil(t, c)
	clock.Advance(60 * time.Second)
	_, err = v.Verify(context.Background(), tok)
	assert.ErrorIs(t, err, ErrExpired)
}

func TestCacheFlushedWhenKeysChange(t *testing.T) {
	ts := newTokenService(t)
	keys := newECKeys(t, "k1")
	ts.setKeys(keys)
	v := ts.verifier(t, func(c *Config) { c.CacheSize = 8 })
	tok := sign(t, "ES256", "k1", keys["k1"], ts.claims(nil))
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, 1, v.cache.len())

	next := newECKeys(t, "k2")
	ts.setKeys(next)
	_, err = v.Verify(context.Background(), sign(t, "ES256", "k2", next["k2"], ts.claims(nil)))
	require.NoError(t, err, "refetch for k2 drops k1")
	_, err = v.Verify(context.Background(), tok)
	assert.ErrorIs(t, err, ErrUnknownKey, "the cached token of the removed key is verified again and refused")
}

func TestCacheStaleEntryOfReplacedKeySetIsIgnored(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.CacheSize = 8 })
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	is := v.issuers[testIssuer]
	other, err := staticKeySet(map[string]crypto.PublicKey{"k": publicOf(ecKey(t, elliptic.P256()))})
	require.NoError(t, err)
	is.keys.Store(other) // as a racing refresh would, without a flush
	_, ok := v.cache.get(tok, time.Now())
	assert.False(t, ok)
}
