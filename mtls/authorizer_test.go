package mtls_test

import (
	"errors"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"

	"github.com/ztkit/ztkit/mtls"
)

func TestAuthorizers(t *testing.T) {
	id := spiffeid.RequireFromString
	td := spiffeid.RequireTrustDomainFromString
	cases := []struct {
		name  string
		a     mtls.Authorizer
		peer  string
		allow bool
	}{
		{"ID exact", mtls.AuthorizeID(id("spiffe://example.org/a")), "spiffe://example.org/a", true},
		{"ID one of", mtls.AuthorizeID(id("spiffe://example.org/a"), id("spiffe://example.org/b")), "spiffe://example.org/b", true},
		{"ID other", mtls.AuthorizeID(id("spiffe://example.org/a")), "spiffe://example.org/ab", false},
		{"ID other trust domain", mtls.AuthorizeID(id("spiffe://example.org/a")), "spiffe://other.org/a", false},
		{"ID none given", mtls.AuthorizeID(), "spiffe://example.org/a", false},
		{"trust domain member", mtls.AuthorizeTrustDomain(td("example.org")), "spiffe://example.org/x/y", true},
		{"trust domain other", mtls.AuthorizeTrustDomain(td("example.org")), "spiffe://example.org.evil/x", false},
		{"prefix itself", mtls.AuthorizeIDPrefix(id("spiffe://example.org/ns/prod")), "spiffe://example.org/ns/prod", true},
		{"prefix below", mtls.AuthorizeIDPrefix(id("spiffe://example.org/ns/prod")), "spiffe://example.org/ns/prod/api", true},
		{"prefix not on segment boundary", mtls.AuthorizeIDPrefix(id("spiffe://example.org/ns/prod")), "spiffe://example.org/ns/production", false},
		{"prefix above", mtls.AuthorizeIDPrefix(id("spiffe://example.org/ns/prod")), "spiffe://example.org/ns", false},
		{"prefix other trust domain", mtls.AuthorizeIDPrefix(id("spiffe://example.org/ns")), "spiffe://other.org/ns/a", false},
		{"prefix of trust domain root", mtls.AuthorizeIDPrefix(td("example.org").ID()), "spiffe://example.org/anything", true},
		{"any", mtls.AuthorizeAny(), "spiffe://other.org/x", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.a(id(c.peer), nil)
			if c.allow {
				assert.NoError(t, err)
				return
			}
			assert.True(t, errors.Is(err, mtls.ErrNotAuthorized), "got %v", err)
			assert.Contains(t, err.Error(), c.peer)
		})
	}
}
