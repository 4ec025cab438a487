package jwtauth

import (
	"errors"
	"fmt"
)

// maxMembers bounds the members that members accepts (a JWS header has a
// handful).
const maxMembers = 64

// members walks a top-level JSON object without building a map: member is
// called with each key while the parser sits at its value, and must consume
// the value. Duplicate keys, trailing data and invalid JSON are errors.
func (p *jsonParser) members(member func(key string) error) error {
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '{' {
		return errors.New("not a JSON object")
	}
	if err := p.enter(); err != nil {
		return err
	}
	var small [8]string
	seen := small[:0]
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
	} else {
		for done := false; !done; {
			p.skipSpace()
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return p.errorf("expected an object key")
			}
			k, err := p.str()
			if err != nil {
				return err
			}
			for _, s := range seen {
				if s == k {
					return fmt.Errorf("duplicate key %s", quote(k))
				}
			}
			if len(seen) == maxMembers {
				return p.errorf("more than %d members", maxMembers)
			}
			seen = append(seen, k)
			p.skipSpace()
			if p.pos >= len(p.data) || p.data[p.pos] != ':' {
				return p.errorf("expected ':' after an object key")
			}
			p.pos++
			p.skipSpace()
			if err := member(k); err != nil {
				return err
			}
			p.skipSpace()
			switch {
			case p.pos >= len(p.data):
				return p.errorf("unterminated object")
			case p.data[p.pos] == ',':
				p.pos++
			case p.data[p.pos] == '}':
				p.pos++
				done = true
			default:
				return p.errorf("expected ',' or '}' in an object")
			}
		}
	}
	p.depth--
	p.skipSpace()
	if p.pos != len(p.data) {
		return fmt.Errorf("data after the JSON object at offset %d", p.pos)
	}
	return nil
}

// stringValue decodes the value at the parser's position, which must be a
// string.
func (p *jsonParser) stringValue() (string, bool, error) {
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		_, err := p.value()
		return "", false, err
	}
	s, err := p.str()
	return s, true, err
}
