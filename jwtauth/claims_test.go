package jwtauth

import (
	"context"
	"crypto/elliptic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClaimsGetReturnsCopies(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, func(c *Config) { c.CacheSize = 8 })
	tok := sign(t, "ES256", "k", k, claimsFor(map[string]any{
		"groups": []any{"readers", []any{"nested"}},
		"ctx":    map[string]any{"tenant": "acme", "roles": []any{"viewer"}},
	}))
	ctx := context.Background()
	c, err := v.Verify(ctx, tok)
	require.NoError(t, err)

	g, ok := c.Get("groups")
	require.True(t, ok)
	groups := g.([]any)
	groups[0] = "admins"
	groups[1].([]any)[0] = "admins"
	m, _ := c.Get("ctx")
	m.(map[string]any)["tenant"] = "evil"
	m.(map[string]any)["roles"].([]any)[0] = "admin"
	m.(map[string]any)["added"] = true

	want := map[string]any{
		"groups": []any{"readers", []any{"nested"}},
		"ctx":    map[string]any{"tenant": "acme", "roles": []any{"viewer"}},
	}
	again, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	require.Same(t, c, again, "the second verification is a cache hit")
	for name, w := range want {
		got, ok := again.Get(name)
		require.True(t, ok)
		assert.Equal(t, w, got, "claim %s as the token had it", name)
	}
}

func TestNewClaimsCopiesDeeply(t *testing.T) {
	in := map[string]any{"sub": "a", "groups": []any{"readers"}, "ctx": map[string]any{"tenant": "acme"}}
	c := NewClaims(in)
	in["groups"].([]any)[0] = "admins"
	in["ctx"].(map[string]any)["tenant"] = "evil"
	g, _ := c.Get("groups")
	assert.Equal(t, []any{"readers"}, g)
	m, _ := c.Get("ctx")
	assert.Equal(t, map[string]any{"tenant": "acme"}, m)

	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	assert.NotPanics(t, func() {
		c := NewClaims(map[string]any{"loop": cyclic})
		_, ok := c.Get("loop")
		assert.True(t, ok)
	}, "copying is bounded")
}

func TestClaimsGetReadOnlyMatchesGet(t *testing.T) {
	c := NewClaims(map[string]any{"groups": []any{"readers", "ops"}, "n": 3.0})
	ro, ok := c.GetReadOnly("groups")
	require.True(t, ok)
	cp, _ := c.Get("groups")
	assert.Equal(t, cp, ro)
	n, ok := c.GetReadOnly("n")
	assert.True(t, ok)
	assert.Equal(t, 3.0, n)
	_, ok = c.GetReadOnly("missing")
	assert.False(t, ok)
}
