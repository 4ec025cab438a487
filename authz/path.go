package authz

import (
	"errors"
	"fmt"
)

// ErrAmbiguousPath reports a request path that could be read in more than
// one way: dot segments, empty segments, encoded "/", "\" or NUL, invalid
// percent escapes or control characters. Such a request is rejected (HTTP
// 400) instead of being matched, so that the path the policy saw is the
// path the handler routes on.
var ErrAmbiguousPath = errors.New("authz: ambiguous request path")

// NormalizePath returns the path that policy rules are matched against for
// a request path as sent on the wire (escaped form, as returned by
// url.URL.EscapedPath): percent escapes decoded, nothing else changed. A
// path that RFC 3986 normalisation would change (dot segments, "//") or that
// carries an encoded "/", "\" or NUL, an invalid escape or a control
// character is not normalised silently: the error wraps ErrAmbiguousPath
// and names the problem.
func NormalizePath(raw string) (string, error) {
	var buf [256]byte
	b, err := cleanPath(raw, buf[:0])
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// pathError builds the ErrAmbiguousPath error for problem. It is kept out of
// line so that cleanPath, on the hot path, stays small.
func pathError(problem string) error {
	return fmt.Errorf("%w: %s", ErrAmbiguousPath, problem)
}

// cleanPath decodes raw into buf (appending) and checks it. It allocates
// only when raw is longer than buf's capacity.
func cleanPath(raw string, buf []byte) ([]byte, error) {
	if raw == "" || raw[0] != '/' {
		return nil, pathError("path must start with /")
	}
	out := buf
	// segStart is the index in out where the current segment begins.
	segStart := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return nil, pathError("invalid percent escape")
			}
			d := unhex(raw[i+1])<<4 | unhex(raw[i+2])
			switch {
			case d == '/':
				return nil, pathError("encoded / (%2F)")
			case d == '\\':
				return nil, pathError("encoded \\ (%5C)")
			case d == 0:
				return nil, pathError("encoded NUL (%00)")
			case d < 0x20 || d == 0x7f:
				return nil, pathError("encoded control character")
			}
			out = append(out, d)
			i += 2
		case c == '\\':
			return nil, pathError("backslash in path")
		case c < 0x20 || c == 0x7f:
			return nil, pathError("control character in path")
		case c == '?' || c == '#':
			return nil, pathError("query or fragment in path")
		case c == '/':
			if i > 0 {
				if err := checkSegment(out[segStart:]); err != nil {
					return nil, err
				}
			}
			out = append(out, '/')
			segStart = len(out)
		default:
			out = append(out, c)
		}
	}
	if err := checkLastSegment(out, segStart); err != nil {
		return nil, err
	}
	return out, nil
}

// checkSegment rejects an interior segment that is empty ("//"), "." or "..".
func checkSegment(seg []byte) error {
	switch string(seg) {
	case "":
		return pathError("empty path segment (//)")
	case ".", "..":
		return pathError("dot segment")
	}
	return nil
}

// checkLastSegment rejects a final "." or ".." segment; an empty final
// segment is a trailing slash, which is allowed.
func checkLastSegment(out []byte, segStart int) error {
	switch string(out[segStart:]) {
	case ".", "..":
		return pathError("dot segment")
	}
	return nil
}

// matchKey is the form of a clean path that rules compare against: one
// trailing slash is ignored, so "/admin" and "/admin/" are the same
// operation for every rule.
func matchKey(p []byte) []byte {
	if len(p) > 1 && p[len(p)-1] == '/' {
		return p[:len(p)-1]
	}
	return p
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
