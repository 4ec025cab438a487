package jwtauth

import (
	"fmt"
	"time"
)

// checkClaims validates the registered claims and the issuer's required
// claims, and returns the Claims and the instant they expire.
func checkClaims(is *issuer, m map[string]any, now time.Time, skew time.Duration) (*Claims, time.Time, error) {
	rawExp, ok := m["exp"]
	if !ok {
		return nil, time.Time{}, wrap(ErrMalformed, `token has no "exp"`)
	}
	exp, ok := unixTime(rawExp)
	if !ok {
		return nil, time.Time{}, wrap(ErrMalformed, `"exp" is not a valid NumericDate`)
	}
	if d := now.Sub(exp); d > skew {
		return nil, time.Time{}, fmt.Errorf("%w %v ago", ErrExpired, d.Round(time.Second))
	}
	if err := checkNotFuture(m, "nbf", "valid only in", now, skew); err != nil {
		return nil, time.Time{}, err
	}
	if err := checkNotFuture(m, "iat", "issued", now, skew); err != nil {
		return nil, time.Time{}, err
	}
	for _, name := range [...]string{"iss", "sub", "scope", "jti"} {
		if v, ok := m[name]; ok {
			if _, isString := v.(string); !isString {
				return nil, time.Time{}, wrap(ErrMalformed, "%q is not a string", name)
			}
		}
	}
	if iss, _ := m["iss"].(string); iss != is.name {
		return nil, time.Time{}, wrap(ErrUnknownIssuer, "issuer %s is not %s", quote(iss), quote(is.name))
	}
	c := newClaims(m)
	c.svid = is.bundles != nil
	aud, err := audience(m["aud"], &c.aud1)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !is.acceptsAudience(aud) {
		if len(aud) == 0 {
			return nil, time.Time{}, wrap(ErrAudience, `token has no "aud"`)
		}
		return nil, time.Time{}, wrap(ErrAudience, "audience %s is not accepted", quote(aud[0]))
	}
	for _, name := range is.required {
		if v, ok := m[name]; !ok || v == nil {
			return nil, time.Time{}, wrap(ErrClaims, "required claim %q is missing", name)
		}
	}
	c.audience = aud
	return c, exp, nil
}

func checkNotFuture(m map[string]any, name, what string, now time.Time, skew time.Duration) error {
	raw, ok := m[name]
	if !ok {
		return nil
	}
	t, ok := unixTime(raw)
	if !ok {
		return wrap(ErrMalformed, "%q is not a valid NumericDate", name)
	}
	if d := t.Sub(now); d > skew {
		return wrap(ErrNotYetValid, "%s %v (%s in the future)", what, d.Round(time.Second), name)
	}
	return nil
}

// audience reads "aud" as a string (returned in one) or an array of strings.
func audience(v any, one *[1]string) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		one[0] = v
		return one[:], nil
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, wrap(ErrMalformed, `"aud" holds a non-string`)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, wrap(ErrMalformed, `"aud" is neither a string nor an array`)
}
