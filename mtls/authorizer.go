package mtls

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
)

// Authorizer decides whether a peer whose X.509-SVID has already been
// verified may connect. It is go-spiffe's tlsconfig.Authorizer, so its
// authorizers can be passed wherever ztkit takes one.
type Authorizer = tlsconfig.Authorizer

// AuthorizeID allows peers whose SPIFFE ID is one of ids.
func AuthorizeID(ids ...spiffeid.ID) Authorizer {
	allowed := make(map[spiffeid.ID]struct{}, len(ids))
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		allowed[id] = struct{}{}
		names = append(names, id.String())
	}
	want := strings.Join(names, ", ")
	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if _, ok := allowed[id]; ok {
			return nil
		}
		return fmt.Errorf("%w: %s is not one of [%s]", ErrNotAuthorized, id, want)
	}
}

// AuthorizeTrustDomain allows any peer in trust domain td.
func AuthorizeTrustDomain(td spiffeid.TrustDomain) Authorizer {
	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if id.MemberOf(td) {
			return nil
		}
		return fmt.Errorf("%w: %s is not in trust domain %q", ErrNotAuthorized, id, td)
	}
}

// AuthorizeIDPrefix allows prefix itself and the IDs below it on path
// segment boundaries: spiffe://td/ns/prod allows spiffe://td/ns/prod/api but
// not spiffe://td/ns/production.
func AuthorizeIDPrefix(prefix spiffeid.ID) Authorizer {
	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if hasIDPrefix(id, prefix) {
			return nil
		}
		return fmt.Errorf("%w: %s is not %s or below it", ErrNotAuthorized, id, prefix)
	}
}

// AuthorizeAny allows every peer with a valid SVID from a trusted trust
// domain. It exists for the rare service that authorises later, by policy;
// the name is the only way to get this behaviour.
func AuthorizeAny() Authorizer {
	return func(spiffeid.ID, [][]*x509.Certificate) error { return nil }
}

func hasIDPrefix(id, prefix spiffeid.ID) bool {
	if id.TrustDomain() != prefix.TrustDomain() {
		return false
	}
	p, want := id.Path(), strings.TrimSuffix(prefix.Path(), "/")
	if want == "" {
		return true
	}
	return p == want || strings.HasPrefix(p, want+"/")
}
