package jwtauth

import (
	"context"
	"errors"
	"net/http"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// Middleware verifies the bearer token of each request with v and puts its
// Claims into the request context (ClaimsFromContext). A missing or invalid
// token gets 401 with an RFC 6750 WWW-Authenticate challenge and a body
// without detail. The token is read from "Authorization: Bearer" unless
// WithHeader or WithCookie say otherwise; never from the query string.
// Several Authorization values, or several cookies of the WithCookie name,
// are refused as malformed.
func Middleware(v *Verifier, opts ...Option) func(http.Handler) http.Handler {
	o := buildOptions(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := o.fromRequest(r)
			if err == nil && token == "" && o.optional {
				next.ServeHTTP(w, r)
				return
			}
			var c *Claims
			if err == nil {
				c, err = v.verify(r.Context(), token)
			}
			if err != nil {
				v.report(r.Context(), nil, err)
				o.challenge(w, err)
				return
			}
			ctx := withVerified(r.Context(), c, token)
			v.report(ctx, c, nil)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func (o *options) fromRequest(r *http.Request) (string, error) {
	token, err := o.bearer(r.Header.Values(o.header))
	if err != nil || token != "" || o.cookie == "" {
		return token, err
	}
	// Several cookies of the name are ambiguous: a sibling subdomain or an
	// insecure origin can set one that shadows the real one.
	switch cks := r.CookiesNamed(o.cookie); len(cks) {
	case 0:
		return "", nil
	case 1:
		return cks[0].Value, nil
	default:
		return "", wrap(ErrMalformed, "%d %s cookies; want one", len(cks), quote(o.cookie))
	}
}

// challenge writes the 401 response.
func (o *options) challenge(w http.ResponseWriter, err error) {
	ch := "Bearer"
	if o.realm != "" {
		ch += ` realm="` + o.realm + `"`
	}
	if !errors.Is(err, ErrMissing) {
		if o.realm != "" {
			ch += ","
		}
		ch += ` error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", ch)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
}

type tokenKey struct{}

// withVerified records the verified claims and the raw token, which
// ForwardedToken sends on.
func withVerified(ctx context.Context, c *Claims, token string) context.Context {
	ctx = reqctx.WithPrincipal(ctx, c)
	return context.WithValue(ctx, tokenKey{}, token)
}

func tokenFromContext(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tokenKey{}).(string)
	return t, ok && t != ""
}
