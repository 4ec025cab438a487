package authz

import (
	"strconv"
)

// readOnlyClaims is implemented by *jwtauth.Claims, whose Get copies array
// and object claims; a decision only reads them, so it takes them uncopied.
type readOnlyClaims interface {
	GetReadOnly(name string) (any, bool)
}

// condition reports whether the request satisfies c. An absent claim or
// header matches no value, so it fails values and passes notValues.
func (s *search) condition(c *condition, claims Claims) bool {
	if c.claim != "" {
		var v any
		if ro, ok := claims.(readOnlyClaims); ok {
			v, _ = ro.GetReadOnly(c.claim)
		} else if claims != nil {
			v, _ = claims.Get(c.claim)
		}
		if len(c.values) > 0 && (v == nil || !claimMatches(c.values, c.claim, v)) {
			return false
		}
		return len(c.notValues) == 0 || v == nil || !claimMatches(c.notValues, c.claim, v)
	}
	var vals []string
	if s.header != nil {
		vals = s.header[c.header]
	} else if s.md != nil {
		vals = s.md[c.mdKey]
	}
	if len(c.values) > 0 && !anyValue(c.values, vals) {
		return false
	}
	return len(c.notValues) == 0 || !anyValue(c.notValues, vals)
}

func anyValue(ps []pattern, vals []string) bool {
	for _, v := range vals {
		for i := range ps {
			if ps[i].matchString(v) {
				return true
			}
		}
	}
	return false
}

// claimMatches reports whether claim value v, as decoded from JSON, matches
// one of ps. Arrays match when one element does; the "scope" claim is
// space-delimited, so it matches when one of its scopes does.
func claimMatches(ps []pattern, name string, v any) bool {
	switch v := v.(type) {
	case string:
		if name == "scope" {
			return anyField(ps, v)
		}
		return anyString(ps, v)
	case []any:
		for _, e := range v {
			if e != nil && scalarMatches(ps, e) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range v {
			if anyString(ps, e) {
				return true
			}
		}
		return false
	}
	return scalarMatches(ps, v)
}

// scalarMatches compares a string, number or boolean by its canonical JSON
// text, the form policy values are brought to when they are parsed.
func scalarMatches(ps []pattern, v any) bool {
	var buf [32]byte
	var b []byte
	switch v := v.(type) {
	case string:
		return anyString(ps, v)
	case bool:
		return anyString(ps, strconv.FormatBool(v))
	case float64:
		b = appendJSONNumber(buf[:0], v)
	case int:
		b = strconv.AppendInt(buf[:0], int64(v), 10)
	case int64:
		b = strconv.AppendInt(buf[:0], v, 10)
	default:
		return false
	}
	for i := range ps {
		if ps[i].match(b) {
			return true
		}
	}
	return false
}

func anyString(ps []pattern, v string) bool {
	for i := range ps {
		if ps[i].matchString(v) {
			return true
		}
	}
	return false
}

// anyField matches each space-separated field of v.
func anyField(ps []pattern, v string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		if i > 0 && anyString(ps, v[:i]) {
			return true
		}
		for i < len(v) && isSpace(v[i]) {
			i++
		}
		v = v[i:]
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
