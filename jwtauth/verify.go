package jwtauth

import (
	"context"
	"crypto"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

func (v *Verifier) verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, ErrMissing
	}
	if len(token) > v.cfg.MaxTokenSize {
		return nil, wrap(ErrMalformed, "token is %d bytes, above the limit of %d", len(token), v.cfg.MaxTokenSize)
	}
	now := v.cfg.now()
	if v.cache != nil {
		if c, ok := v.cache.get(token, now); ok {
			return c, nil
		}
	}
	t, err := parseToken(v.enc, token)
	if err != nil {
		return nil, err
	}
	if isNone(t.header.alg) {
		return nil, wrap(ErrAlgorithm, `"alg" is %s; unsigned tokens are never accepted`, quote(t.header.alg))
	}
	is, err := v.selectIssuer(t.claims)
	if err != nil {
		return nil, err
	}
	a, ok := is.algorithm(t.header.alg)
	if !ok {
		return nil, wrap(ErrAlgorithm, "%s is not pinned for issuer %s", quote(t.header.alg), quote(is.name))
	}
	if is.typ != "" && !typeMatches(t.header.typ, is.typ) {
		return nil, wrap(ErrClaims, `"typ" is %s, want %s`, quote(t.header.typ), quote(is.typ))
	}

	entry := cacheEntry{iss: is, kid: t.header.kid}
	if a.kind == kindHMAC {
		if !verifyHMAC(a, is.secret, t.signingInput, t.signature) {
			return nil, wrap(ErrBadSignature, "%s signature does not verify", a.name)
		}
	} else {
		var buf [maxKeyCandidates]crypto.PublicKey
		var pubs []crypto.PublicKey
		pubs, entry.keys, err = v.keys(ctx, is, &t, a, buf[:0])
		if err != nil {
			return nil, err
		}
		for _, pub := range pubs {
			if verifySignature(a, pub, t.signingInput, t.signature) {
				entry.pub = pub
				break
			}
		}
		if entry.pub == nil {
			return nil, wrap(ErrBadSignature, "%s signature does not verify with key %s", a.name, quote(t.header.kid))
		}
	}

	c, exp, err := checkClaims(is, t.claims, now, v.cfg.ClockSkew)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		entry.claims, entry.exp = c, exp
		v.cache.put(token, entry, now)
	}
	return c, nil
}

// selectIssuer picks the configuration from the unverified "iss". A token
// that carries "iss" must name a configured issuer exactly; only a token
// without "iss" whose subject is a SPIFFE ID goes to the SPIFFE bundle issuer
// configured without an Issuer (a JWT-SVID as SPIRE issues it by default).
// It never touches the network.
func (v *Verifier) selectIssuer(claims map[string]any) (*issuer, error) {
	raw, present := claims["iss"]
	if present {
		iss, isString := raw.(string)
		switch {
		case !isString:
			return nil, wrap(ErrMalformed, `"iss" is not a string`)
		case iss == "":
			return nil, wrap(ErrUnknownIssuer, `"iss" is empty`)
		}
		if is, ok := v.issuers[iss]; ok {
			return is, nil
		}
		return nil, wrap(ErrUnknownIssuer, "issuer %s is not configured", quote(iss))
	}
	if v.spiffe != nil {
		if sub, ok := claims["sub"].(string); ok {
			if _, err := spiffeid.FromString(sub); err == nil {
				return v.spiffe, nil
			}
		}
	}
	return nil, wrap(ErrUnknownIssuer, `token has no "iss"`)
}

// keys appends to dst the public keys the token may be signed with: the key
// from the SPIFFE bundle of the subject's trust domain, or the candidates
// from the issuer's key set, refetched once (rate-limited) when it has none
// for the kid.
func (v *Verifier) keys(ctx context.Context, is *issuer, t *parsedToken, a algorithm, dst []crypto.PublicKey) ([]crypto.PublicKey, *keySet, error) {
	kid := t.header.kid
	if is.bundles != nil {
		pub, err := spiffeKey(is.bundles, t.claims, kid)
		if err != nil {
			return nil, nil, err
		}
		if !a.fits(pub) {
			return nil, nil, wrap(ErrUnknownKey, "bundle key %s is not a %s key", quote(kid), a.name)
		}
		return append(dst, pub), nil, nil
	}
	ks := is.keys.Load()
	pubs := ks.candidates(dst, kid, a)
	if len(pubs) == 0 && is.remote != nil && is.remote.refetchForUnknownKey(ctx) {
		ks = is.keys.Load()
		pubs = ks.candidates(dst, kid, a)
	}
	if len(pubs) > 0 {
		return pubs, ks, nil
	}
	if ks == nil {
		reason := "the first fetch has not finished"
		if err := is.remote.lastError(); err != nil {
			reason = err.Error()
		}
		return nil, nil, wrap(ErrUnknownKey, "keys of issuer %s are not available yet: %s", quote(is.name), reason)
	}
	return nil, nil, wrap(ErrUnknownKey, "issuer %s has no %s key %s", quote(is.name), a.name, quote(kid))
}

// spiffeKey looks up a JWT-SVID's key in the bundle of its subject's trust
// domain.
func spiffeKey(src jwtbundle.Source, claims map[string]any, kid string) (crypto.PublicKey, error) {
	sub, _ := claims["sub"].(string)
	id, err := spiffeid.FromString(sub)
	if err != nil {
		return nil, wrap(ErrClaims, "JWT-SVID subject %s is not a SPIFFE ID", quote(sub))
	}
	if kid == "" {
		return nil, wrap(ErrUnknownKey, `JWT-SVID has no "kid"`)
	}
	b, err := src.GetJWTBundleForTrustDomain(id.TrustDomain())
	if err != nil {
		return nil, wrap(ErrUnknownKey, "no JWT bundle for trust domain %s", quote(id.TrustDomain().Name()))
	}
	pub, ok := b.FindJWTAuthority(kid)
	if !ok {
		return nil, wrap(ErrUnknownKey, "trust domain %s has no key %s", quote(id.TrustDomain().Name()), quote(kid))
	}
	return pub, nil
}

// bundleHasKey reports whether a cached JWT-SVID's key is still in its
// bundle, so that a removed key invalidates its tokens.
func bundleHasKey(src jwtbundle.Source, c *Claims, kid string, pub crypto.PublicKey) bool {
	cur, err := spiffeKey(src, c.raw, kid)
	return err == nil && publicKeyEqual(cur, pub)
}

// unixTime converts a NumericDate; false when it is not a number in range.
func unixTime(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || f < 0 || f > 253402300799 { // year 9999
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}
