package logging

import (
	"fmt"
	"io"
	"log/slog"
)

// redactedSecret is how a Secret appears in every output.
const redactedSecret = "[REDACTED:secret]"

// Secret is a string that is never written out: it logs, prints, formats
// and marshals as "[REDACTED:secret]" whatever the handler or verb. Use
// Reveal where the real value is needed.
type Secret string

// Reveal returns the secret value itself.
func (s Secret) Reveal() string { return string(s) }

// LogValue implements slog.LogValuer, so even a handler other than
// ztkit's logs a Secret redacted.
func (Secret) LogValue() slog.Value { return slog.StringValue(redactedSecret) }

// String implements fmt.Stringer.
func (Secret) String() string { return redactedSecret }

// GoString implements fmt.GoStringer, for the %#v verb.
func (Secret) GoString() string { return redactedSecret }

// Format implements fmt.Formatter, so no verb (%s, %q, %x, %v) prints the
// value.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redactedSecret) }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redactedSecret + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(redactedSecret), nil }
