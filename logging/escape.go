package logging

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// redactedPrefix opens every redaction mark.
const redactedPrefix = "[REDACTED:"

// appendMark appends the redaction mark for label.
func appendMark(buf []byte, label string) []byte {
	buf = append(buf, redactedPrefix...)
	buf = append(buf, label...)
	return append(buf, ']')
}

// appendString appends s as a quoted JSON string with every secret shape
// replaced by its redaction mark.
func (r *redactor) appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	i := 0
	for {
		start, end, label, esc := r.find(s, i)
		if label == "" {
			if esc {
				buf = appendEscaped(buf, s[i:])
			} else {
				buf = append(buf, s[i:]...)
			}
			break
		}
		buf = appendEscaped(buf, s[i:start])
		buf = appendMark(buf, label)
		i = end
	}
	return append(buf, '"')
}

// appendEscaped appends s escaped for the inside of a JSON string. Control
// characters (C0, DEL and C1, ANSI escape sequences included), U+2028,
// U+2029, bidirectional overrides and invalid UTF-8 are escaped, so an
// escaped value can never break a line or repaint a terminal.
func appendEscaped(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if charClass[b]&chEsc == 0 {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '\\', '"':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if (c == utf8.RuneError && size == 1) || mustEscapeRune(c) {
			buf = append(buf, s[start:i]...)
			if c == utf8.RuneError {
				buf = append(buf, `\ufffd`...)
			} else {
				buf = append(buf, '\\', 'u',
					hexDigits[c>>12&0xF], hexDigits[c>>8&0xF], hexDigits[c>>4&0xF], hexDigits[c&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(buf, s[start:]...)
}

// mustEscapeRune reports runes that are valid in JSON but can break lines
// or mislead a reader: C1 controls, line and paragraph separators, and
// bidirectional formatting characters.
func mustEscapeRune(c rune) bool {
	switch {
	case c >= 0x80 && c <= 0x9f:
		return true
	case c == 0x2028 || c == 0x2029:
		return true
	case c >= 0x202a && c <= 0x202e, c >= 0x2066 && c <= 0x2069, c == 0x200e, c == 0x200f, c == 0x061c:
		return true
	case c == 0xfeff:
		return true
	}
	return false
}
