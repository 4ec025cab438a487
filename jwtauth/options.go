package jwtauth

import (
	"strings"
)

// Option changes how Middleware and the gRPC interceptors find and require
// a token.
type Option func(*options)

type options struct {
	header   string // HTTP header or gRPC metadata key
	cookie   string
	optional bool
	realm    string
}

func buildOptions(opts []Option) options {
	o := options{header: "Authorization"}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithHeader reads the token from the named HTTP header (and gRPC metadata
// key) instead of Authorization. The header carries the bare token; a
// "Bearer " prefix is accepted too.
func WithHeader(name string) Option {
	return func(o *options) {
		if name != "" {
			o.header = name
		}
	}
}

// WithCookie reads the token from the named cookie when the request carries
// no token in the header (HTTP only).
func WithCookie(name string) Option {
	return func(o *options) { o.cookie = name }
}

// CredentialsOptional lets a request without any token through without
// claims, so that a later authorisation step decides. A token that is
// present but invalid is still rejected.
func CredentialsOptional() Option {
	return func(o *options) { o.optional = true }
}

// WithRealm sets the realm in the WWW-Authenticate challenge.
func WithRealm(realm string) Option {
	return func(o *options) {
		o.realm = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == '"' || r == '\\' {
				return -1
			}
			return r
		}, realm)
	}
}

// bearer extracts the token from the header values; more than one value is
// ambiguous and refused. A value under another scheme counts as no token.
func (o *options) bearer(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", wrap(ErrMalformed, "%d %s values; want one", len(values), o.header)
	}
	v := strings.TrimSpace(values[0])
	const scheme = "bearer "
	if len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
		return strings.TrimSpace(v[len(scheme):]), nil
	}
	if strings.EqualFold(o.header, "Authorization") {
		return "", nil
	}
	return v, nil
}
