package jwtauth

import (
	"unicode/utf16"
	"unicode/utf8"
)

// str decodes a string starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	d := p.data
	start := p.pos + 1
	ascii := true
	for i := start; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			raw := d[start:i]
			if !ascii && !utf8.Valid(raw) {
				return "", p.errorf("invalid UTF-8 in a string")
			}
			return bytesString(raw), nil
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			p.pos = i
			return "", p.errorf("control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.pos = len(d)
	return "", p.errorf("unterminated string")
}

// escapedStr decodes a string that contains escapes, from its first byte.
func (p *jsonParser) escapedStr(start int) (string, error) {
	d := p.data
	buf := make([]byte, 0, 32)
	i := start
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			p.pos = i
			return "", p.errorf("control character in a string")
		case c == '\\':
			if i+1 >= len(d) {
				p.pos = i
				return "", p.errorf("unterminated escape")
			}
			e := d[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(d, i)
				if !ok {
					p.pos = i
					return "", p.errorf("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+6 <= len(d) && d[i] == '\\' && d[i+1] == 'u' {
						r2, ok = hex4(d, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.pos = i - 1
				return "", p.errorf("invalid escape")
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				p.pos = i
				return "", p.errorf("invalid UTF-8 in a string")
			}
			buf = append(buf, d[i:i+size]...)
			i += size
		}
	}
	p.pos = len(d)
	return "", p.errorf("unterminated string")
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
