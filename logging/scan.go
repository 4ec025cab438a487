package logging

import "strings"

// The value scanner makes one pass over a string looking for cheap
// triggers: the end of a run of token characters (a "word") long enough to
// be a credential, a "://" after a scheme, a key followed by '=' or ':'.
// Only then does it validate a shape. Ordinary values therefore cost a
// table lookup per byte.

const (
	chWord  = 1 << iota // letters, digits, '_', '-', '.'
	chEsc               // must be escaped in JSON or is not ASCII
	chAfter             // after a word, may start "://", "=" or ":" (key=value)
)

var charClass = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
			t[i] = chWord
		case c < 0x20, c == '"', c == '\\', c >= 0x7f:
			t[i] = chEsc
		}
		switch c {
		case ':', '=', '"', '\'':
			t[i] |= chAfter
		}
	}
	return t
}()

// Redaction labels written as [REDACTED:label].
const (
	labelKey         = "key"
	labelSecret      = "secret"
	labelJWT         = "jwt"
	labelBearer      = "bearer"
	labelBasic       = "basic"
	labelPrivateKey  = "private_key"
	labelURLPassword = "url_password"
	labelCard        = "card"
)

// redactor finds secrets in strings.
type redactor struct {
	keys  *keyMatcher
	cards bool
}

// find returns the first secret in s at or after from as the half-open
// range [start, end) and its label. esc reports whether s[from:start] (or
// s[from:] when nothing was found) holds bytes that need escaping.
func (r *redactor) find(s string, from int) (start, end int, label string, esc bool) {
	p := from
	for p < len(s) {
		cl := charClass[s[p]]
		if cl&chWord == 0 {
			if cl&chEsc != 0 {
				esc = true
			}
			p++
			continue
		}
		if r.cards && s[p] >= '0' && s[p] <= '9' {
			if e := cardEnd(s, p); e > 0 {
				return p, e, labelCard, esc
			}
		}
		q := p + 1
		for q < len(s) && charClass[s[q]]&chWord != 0 {
			q++
		}
		if q-p >= 5 {
			if st, en, l := checkWord(s, p, q); l != "" {
				return st, en, l, esc
			}
			// "%22eyJ...": a word that starts right after a percent
			// escape is checked without the escape's hex digits too.
			if p > 0 && s[p-1] == '%' && q-p >= 7 && isHex(s[p]) && isHex(s[p+1]) {
				if st, en, l := checkWord(s, p+2, q); l != "" {
					return st, en, l, esc
				}
			}
		}
		if q < len(s) && (charClass[s[q]]&chAfter != 0 || (s[q] == ' ' || s[q] == '\t') && spacedSeparator(s, q)) {
			if st, en, l := r.afterWord(s, p, q); l != "" {
				return st, en, l, esc
			}
		}
		p = q
	}
	return len(s), len(s), "", esc
}

// afterWord handles the word s[p:q] followed by punctuation: a URL with a
// password in its userinfo, or a secret-named key followed by its value
// ("key=v", "key: v", `"key":"v"`, with or without spaces around the
// separator).
func (r *redactor) afterWord(s string, p, q int) (start, end int, label string) {
	c := s[q]
	if c == ':' && strings.HasPrefix(s[q:], "://") {
		return urlPassword(s, q+3)
	}
	j := q
	if c == '"' || c == '\'' {
		j++
	}
	j = skipSpaces(s, j)
	if j >= len(s) {
		return 0, 0, ""
	}
	if c = s[j]; c != '=' && c != ':' {
		return 0, 0, ""
	}
	if !r.keys.sensitive(s[p:q]) {
		return 0, 0, ""
	}
	return keyValue(s, j+1)
}

// skipSpaces returns the index of the first byte at or after i that is not
// a space or tab, looking at most four bytes ahead.
func skipSpaces(s string, i int) int {
	for n := 0; i < len(s) && (s[i] == ' ' || s[i] == '\t') && n < 4; n++ {
		i++
	}
	return i
}

// spacedSeparator reports whether the spaces at s[i] lead to '=' or ':',
// as in "password = x".
func spacedSeparator(s string, i int) bool {
	i = skipSpaces(s, i)
	return i < len(s) && (s[i] == '=' || s[i] == ':')
}

// keyValue finds the value that follows "key=" or "key:" at v.
func keyValue(s string, v int) (start, end int, label string) {
	for n := 0; v < len(s) && s[v] == ' ' && n < 4; n++ {
		v++
	}
	if v >= len(s) {
		return 0, 0, ""
	}
	if q := s[v]; q == '"' || q == '\'' {
		v++
		e := v
		for e < len(s) && s[e] != q {
			if s[e] == '\\' {
				e++
			}
			e++
		}
		if e > len(s) {
			e = len(s)
		}
		if e == v {
			return 0, 0, ""
		}
		return v, e, labelKey
	}
	e := v
	for e < len(s) && !valueStop(s[e]) {
		e++
	}
	if e == v {
		return 0, 0, ""
	}
	// "Authorization: Bearer abc": leave the scheme, redact the credential,
	// whatever its shape.
	if e < len(s) && s[e] == ' ' && isAuthScheme(s[v:e]) {
		label := labelBearer
		if len(s[v:e]) == len("basic") {
			label = labelBasic
		}
		return credentialAfter(s, e, label, true)
	}
	return v, e, labelKey
}

func valueStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '&', ',', ';', '"', '\'', '#':
		return true
	}
	return false
}

func isAuthScheme(w string) bool {
	return strings.EqualFold(w, "bearer") || strings.EqualFold(w, "basic")
}

// urlPassword redacts the password of a URL's userinfo; a is the first
// byte of the authority. A password may hold a raw '/' ("redis://:pa/ss@h")
// unless what precedes the '/' reads as a port ("h:8443/a@b" has none).
func urlPassword(s string, a int) (start, end int, label string) {
	e := a
	at, colon, bracket := -1, -1, false
	for e < len(s) {
		c := s[e]
		if c == '?' || c == '#' || c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' {
			break
		}
		if c == '/' && (at >= 0 || colon < 0 || bracket || allDigits(s[colon+1:e])) {
			break
		}
		switch {
		case c == '@':
			at = e
		case c == ':' && colon < 0:
			colon = e
		case c == '[' && colon < 0:
			bracket = true // an IPv6 host: its colons are not userinfo
		}
		e++
	}
	if at < 0 || colon < 0 || colon > at || colon+1 == at {
		return 0, 0, ""
	}
	return colon + 1, at, labelURLPassword
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// cardEnd returns the end of a Luhn-valid payment card number starting at
// p (13 to 19 digits, optionally grouped by single spaces or dashes), or 0.
func cardEnd(s string, p int) int {
	if p > 0 && (isAlnum(s[p-1])) {
		return 0
	}
	var digits [19]byte
	n, e, last := 0, p, p
	for e < len(s) && n < 20 {
		c := s[e]
		if c >= '0' && c <= '9' {
			if n < len(digits) {
				digits[n] = c - '0'
			}
			n++
			e++
			last = e
			continue
		}
		if (c == ' ' || c == '-') && e+1 < len(s) && s[e+1] >= '0' && s[e+1] <= '9' && e > p && s[e-1] >= '0' && s[e-1] <= '9' {
			e++
			continue
		}
		break
	}
	if n < 13 || n > 19 || (last < len(s) && isAlnum(s[last])) {
		return 0
	}
	if !luhn(digits[:n]) {
		return 0
	}
	return last
}

func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		x := int(d[len(d)-1-i])
		if i%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
