package jwtauth

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// Claims are the verified claims of a token. The standard claims have typed
// accessors; any other claim is read with Get. Claims are immutable: the
// slices and maps they return are copies.
type Claims struct {
	raw      map[string]any
	svid     bool // verified through SPIFFEBundles
	issuer   string
	subject  string
	audience []string
	aud1     [1]string // backs audience for a single "aud" string
	expiry   time.Time

	scopesOnce sync.Once
	scopes     []string // computed on first use
}

// NewClaims builds Claims from a decoded JSON claim set. Verifier.Verify is
// how claims are normally made; NewClaims exists for tests of code that
// consumes claims and for claims verified by other means. It copies m
// deeply. Claims made by NewClaims are never a JWT-SVID: their SPIFFEID
// reports false whatever the subject.
func NewClaims(m map[string]any) *Claims {
	raw := make(map[string]any, len(m))
	for k, v := range m {
		raw[k] = cloneValue(v, 0)
	}
	c := newClaims(raw)
	c.audience = stringList(raw["aud"])
	return c
}

// newClaims builds Claims over raw without copying it; the caller hands raw
// over and sets audience.
func newClaims(raw map[string]any) *Claims {
	c := &Claims{raw: raw}
	c.issuer, _ = raw["iss"].(string)
	c.subject, _ = raw["sub"].(string)
	switch exp := raw["exp"].(type) {
	case float64:
		c.expiry = time.Unix(int64(exp), 0).UTC()
	case int64:
		c.expiry = time.Unix(exp, 0).UTC()
	case int:
		c.expiry = time.Unix(int64(exp), 0).UTC()
	}
	return c
}

// Issuer returns the "iss" claim.
func (c *Claims) Issuer() string { return c.issuer }

// Subject returns the "sub" claim.
func (c *Claims) Subject() string { return c.subject }

// Audience returns the "aud" claim as a list, whether the token carried a
// string or an array.
func (c *Claims) Audience() []string { return append([]string(nil), c.audience...) }

// Expiry returns the "exp" claim.
func (c *Claims) Expiry() time.Time { return c.expiry }

// Scopes returns the scopes from a space-delimited "scope" claim, or else
// from a "scp" array.
func (c *Claims) Scopes() []string { return append([]string(nil), c.scopeList()...) }

func (c *Claims) scopeList() []string {
	c.scopesOnce.Do(func() {
		if s, ok := c.raw["scope"].(string); ok {
			c.scopes = strings.Fields(s)
		} else {
			c.scopes = stringList(c.raw["scp"])
		}
	})
	return c.scopes
}

// HasScope reports whether the token grants scope.
func (c *Claims) HasScope(scope string) bool {
	for _, s := range c.scopeList() {
		if s == scope {
			return true
		}
	}
	return false
}

// Get returns the claim name as decoded from JSON: string, float64, bool,
// []any, map[string]any or nil. Arrays and objects are returned as fresh
// copies, so changing them changes neither these Claims nor any later
// request that presents the same token.
func (c *Claims) Get(name string) (any, bool) {
	v, ok := c.raw[name]
	return cloneValue(v, 0), ok
}

// GetReadOnly returns the claim name like Get but without copying arrays
// and objects: the value is shared with every request that carries the
// same token (through the verified-token cache) and must not be changed.
// It exists so that an authorisation decision can read array claims
// without allocating; other code wants Get.
func (c *Claims) GetReadOnly(name string) (any, bool) {
	v, ok := c.raw[name]
	return v, ok
}

// SPIFFEID returns the subject as a SPIFFE ID when the token is a JWT-SVID
// verified through an issuer with SPIFFEBundles keys. For tokens of any
// other issuer it reports false, even when their subject looks like a
// SPIFFE ID: such a subject is only a name the issuer chose.
func (c *Claims) SPIFFEID() (spiffeid.ID, bool) {
	if !c.svid {
		return spiffeid.ID{}, false
	}
	id, err := spiffeid.FromString(c.subject)
	if err != nil {
		return spiffeid.ID{}, false
	}
	return id, true
}

// ClaimsFromContext returns the claims that the middleware or interceptor
// verified for the current request.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	p, ok := reqctx.PrincipalFrom(ctx)
	if !ok {
		return nil, false
	}
	c, ok := p.(*Claims)
	return c, ok
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []string:
		return append([]string(nil), v...)
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// cloneValue copies the arrays and objects in a decoded JSON value; other
// values are immutable and returned as they are. Nesting beyond what the
// token parser accepts is not copied further, which bounds the work on
// values handed to NewClaims.
func cloneValue(v any, depth int) any {
	if depth > maxJSONDepth {
		return v
	}
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = cloneValue(e, depth+1)
		}
		return out
	case []string:
		return append([]string(nil), v...)
	}
	return v
}
