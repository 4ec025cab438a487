package jwtauth

import (
	"crypto"
	"sync"
	"time"
)

// tokenCache remembers verified tokens so that a repeated token costs a map
// lookup instead of a signature check. It is bounded; when full, expired
// entries go first, then arbitrary ones.
type tokenCache struct {
	max int
	mu  sync.RWMutex
	m   map[string]cacheEntry
}

type cacheEntry struct {
	claims *Claims
	exp    time.Time // never later than the token's exp
	iss    *issuer
	keys   *keySet          // the key set the token verified against
	kid    string           // for SPIFFE bundles, looked up again on each hit
	pub    crypto.PublicKey // the key the token verified with
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{max: size, m: make(map[string]cacheEntry, min(size, 1024))}
}

// get returns the claims of a token verified earlier, if its entry is still
// valid: not expired and its key still current.
func (c *tokenCache) get(token string, now time.Time) (*Claims, bool) {
	c.mu.RLock()
	e, ok := c.m[token]
	c.mu.RUnlock()
	if !ok || !now.Before(e.exp) {
		return nil, false
	}
	if e.iss.bundles != nil {
		if !bundleHasKey(e.iss.bundles, e.claims, e.kid, e.pub) {
			return nil, false
		}
	} else if e.iss.keys.Load() != e.keys {
		return nil, false
	}
	return e.claims, true
}

func (c *tokenCache) put(token string, e cacheEntry, now time.Time) {
	if !now.Before(e.exp) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[token]; !ok && len(c.m) >= c.max {
		c.evictLocked(now)
	}
	c.m[token] = e
}

// evictLocked frees at least one slot, looking at a bounded number of
// entries; map order makes the fallback victim arbitrary.
func (c *tokenCache) evictLocked(now time.Time) {
	const scan = 32
	var victim string
	found, n := false, 0
	for k, e := range c.m {
		if !now.Before(e.exp) {
			delete(c.m, k)
			found = true
		} else if !found && victim == "" {
			victim = k
		}
		if n++; n >= scan {
			break
		}
	}
	if !found {
		delete(c.m, victim)
	}
}

func (c *tokenCache) flush() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
