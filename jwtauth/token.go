package jwtauth

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// header is the part of a JWS protected header that verification reads.
type header struct {
	alg string
	kid string
	typ string
}

// parsedToken is a compact JWS split and decoded, not yet verified.
type parsedToken struct {
	header       header
	claims       map[string]any
	signingInput []byte // header "." payload, as sent
	signature    []byte
}

// parseToken splits a compact JWS and decodes its header and claims. It
// checks form only: which issuer, key and algorithm apply is decided later.
// Neither token's bytes nor the decode buffer are copied or written after
// decoding, so the decoded strings share the buffer's memory.
func parseToken(enc *base64.Encoding, token string) (t parsedToken, err error) {
	first := strings.IndexByte(token, '.')
	second := -1
	if first >= 0 {
		if i := strings.IndexByte(token[first+1:], '.'); i >= 0 {
			second = first + 1 + i
		}
	}
	if first < 0 || second < 0 || strings.IndexByte(token[second+1:], '.') >= 0 {
		return t, wrap(ErrMalformed, "not a compact JWS (want three dot-separated parts)")
	}
	// The decoder skips CR and LF; nothing else outside the base64url
	// alphabet gets past it.
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return t, wrap(ErrMalformed, "token contains a line break")
	}
	if second+1 == len(token) {
		return t, wrap(ErrBadSignature, "signature is empty")
	}

	raw := stringBytes(token)
	buf := make([]byte, enc.DecodedLen(len(raw)))
	var hdrJSON, payload, sig, rest []byte
	hdrJSON, rest, err = decodeSegment(enc, buf, raw[:first], "header")
	if err != nil {
		return t, err
	}
	payload, rest, err = decodeSegment(enc, rest, raw[first+1:second], "payload")
	if err != nil {
		return t, err
	}
	sig, _, err = decodeSegment(enc, rest, raw[second+1:], "signature")
	if err != nil {
		return t, err
	}

	t.signingInput, t.signature = raw[:second], sig
	if err := t.parseHeader(hdrJSON); err != nil {
		return parsedToken{}, err
	}
	t.claims, err = parseJSONObject(payload)
	if err != nil {
		return parsedToken{}, wrap(ErrMalformed, "claims: %v", err)
	}
	return t, nil
}

func decodeSegment(enc *base64.Encoding, dst, src []byte, what string) (seg, rest []byte, err error) {
	if len(src) == 0 {
		return nil, nil, wrap(ErrMalformed, "%s is empty", what)
	}
	n, err := enc.Decode(dst, src)
	if err != nil {
		return nil, nil, wrap(ErrMalformed, "%s is not base64url: %v", what, err)
	}
	return dst[:n:n], dst[n:], nil
}

// parseHeader reads alg, kid and typ. Headers that would point at keys
// (jku, x5u, jwk, x5c) are never read: keys come only from configuration.
func (t *parsedToken) parseHeader(data []byte) error {
	p := jsonParser{data: data}
	var crit, hasAlg bool
	err := p.members(func(key string) error {
		var dst *string
		switch key {
		case "alg":
			dst, hasAlg = &t.header.alg, true
		case "kid":
			dst = &t.header.kid
		case "typ":
			dst = &t.header.typ
		default:
			crit = crit || key == "crit"
			_, err := p.value()
			return err
		}
		s, ok, err := p.stringValue()
		if err == nil && !ok {
			return fmt.Errorf("%q is not a string", key)
		}
		*dst = s
		return err
	})
	switch {
	case err != nil:
		return wrap(ErrMalformed, "header: %v", err)
	case crit:
		return wrap(ErrMalformed, `header has a "crit" parameter; no critical extensions are supported`)
	case !hasAlg:
		return wrap(ErrMalformed, `header has no "alg"`)
	}
	return nil
}
