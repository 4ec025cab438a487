package authz

import (
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testClaims is a Claims built from a decoded claim set.
type testClaims map[string]any

func (c testClaims) Issuer() string  { s, _ := c["iss"].(string); return s }
func (c testClaims) Subject() string { s, _ := c["sub"].(string); return s }
func (c testClaims) Get(name string) (any, bool) {
	v, ok := c[name]
	return v, ok
}

func mustPolicy(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(src))
	require.NoError(t, err)
	return p
}

func mustAuthorizer(t testing.TB, src string, opts ...Option) *Authorizer {
	t.Helper()
	a, err := New(mustPolicy(t, src), opts...)
	require.NoError(t, err)
	return a
}

func mustID(t testing.TB, s string) spiffeid.ID {
	t.Helper()
	id, err := spiffeid.FromString(s)
	require.NoError(t, err)
	return id
}

func spiffeIDOrZero(s string) spiffeid.ID {
	id, _ := spiffeid.FromString(s)
	return id
}
