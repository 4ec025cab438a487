package logging

import (
	"errors"
	"fmt"
	"log/slog"
)

// HandlerOptions configures the sanitising handler. A nil *HandlerOptions
// or the zero value gives the secure defaults: level Info, the default
// redaction keys, every value shape redacted, no base attributes.
type HandlerOptions struct {
	// Level is the minimum level logged; nil means slog.LevelInfo.
	Level slog.Leveler
	// AddSource adds a "source" attribute with the caller's file:line.
	AddSource bool

	// Service, Version and Host are written on every record as "service",
	// "version" and "host" when not empty. New fills in Host from
	// os.Hostname when it is empty.
	Service string
	Version string
	Host    string

	// RedactKeys adds key fragments to DefaultRedactKeys: a key whose
	// normalised form (lower case, letters and digits only) contains one
	// is redacted, at any depth of groups, maps and structs.
	RedactKeys []string
	// AllowKeys lists keys that are never redacted because of their name
	// (their values are still checked for secret shapes), for example
	// "token_type". Matching is case and separator insensitive.
	AllowKeys []string
	// RedactCardNumbers redacts Luhn-valid payment card numbers of 13 to
	// 19 digits, in strings and in integer values.
	RedactCardNumbers bool
}

// validate returns every problem in o, naming the field.
func (o *HandlerOptions) validate(field string) error {
	if o == nil {
		return nil
	}
	var errs []error
	for i, k := range o.RedactKeys {
		if normKey(k) == "" {
			errs = append(errs, fmt.Errorf("logging: %s.RedactKeys[%d] %q has no letters or digits", field, i, k))
		}
	}
	for i, k := range o.AllowKeys {
		if normKey(k) == "" {
			errs = append(errs, fmt.Errorf("logging: %s.AllowKeys[%d] %q has no letters or digits", field, i, k))
		}
	}
	return errors.Join(errs...)
}

// newRedactor builds the redactor o asks for.
func newRedactor(o *HandlerOptions) redactor {
	contains := defaultContainsKeys
	var allow []string
	cards := false
	if o != nil {
		contains = append(append([]string(nil), defaultContainsKeys...), normAll(o.RedactKeys)...)
		allow = normAll(o.AllowKeys)
		cards = o.RedactCardNumbers
	}
	return redactor{keys: newKeyMatcher(contains, defaultExactKeys, allow), cards: cards}
}

func normAll(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if n := normKey(k); n != "" {
			out = append(out, n)
		}
	}
	return out
}
