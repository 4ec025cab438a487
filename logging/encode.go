package logging

import (
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/ztkit/ztkit/internal/jsonnum"
)

// appendKey appends the separator a key needs, the key as a sanitised JSON
// string, and the colon.
func (c *core) appendKey(buf []byte, key string) []byte {
	if len(buf) == 0 || buf[len(buf)-1] != '{' {
		buf = append(buf, ',')
	}
	buf = c.red.appendString(buf, key)
	return append(buf, ':')
}

func isEmptyAttr(a slog.Attr) bool {
	return a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil
}

// appendAttr appends a as a JSON member; it reports whether it wrote
// anything (empty attributes and empty groups are left out, as slog does).
func (c *core) appendAttr(buf []byte, a slog.Attr, depth int) ([]byte, bool) {
	if isEmptyAttr(a) {
		return buf, false
	}
	if a.Key != "" && c.red.keys.sensitive(a.Key) {
		buf = c.appendKey(buf, a.Key)
		return append(buf, `"[REDACTED:key]"`...), true
	}
	v := a.Value
	if v.Kind() == slog.KindLogValuer {
		if isPrivateKey(reflect.TypeOf(v.Any())) {
			buf = c.appendKey(buf, a.Key)
			return appendQuotedMark(buf, labelPrivateKey), true
		}
		v = v.Resolve()
	}
	if v.Kind() != slog.KindGroup {
		buf = c.appendKey(buf, a.Key)
		return c.appendValue(buf, v, depth), true
	}
	attrs := v.Group()
	if len(attrs) == 0 {
		return buf, false
	}
	mark := len(buf)
	if a.Key != "" {
		buf = c.appendKey(buf, a.Key)
		buf = append(buf, '{')
	}
	wrote := false
	for _, ga := range attrs {
		var ok bool
		buf, ok = c.appendAttr(buf, ga, depth+1)
		wrote = wrote || ok
	}
	if !wrote {
		return buf[:mark], false
	}
	if a.Key != "" {
		buf = append(buf, '}')
	}
	return buf, true
}

// appendValue appends v, which is not a group, as a JSON value.
func (c *core) appendValue(buf []byte, v slog.Value, depth int) []byte {
	switch v.Kind() {
	case slog.KindString:
		return c.red.appendString(buf, v.String())
	case slog.KindInt64:
		n := v.Int64()
		if c.red.cards && n > 0 && isCardNumber(uint64(n)) {
			return append(buf, `"[REDACTED:card]"`...)
		}
		return strconv.AppendInt(buf, n, 10)
	case slog.KindUint64:
		n := v.Uint64()
		if c.red.cards && isCardNumber(n) {
			return append(buf, `"[REDACTED:card]"`...)
		}
		return strconv.AppendUint(buf, n, 10)
	case slog.KindFloat64:
		return appendFloat(buf, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(buf, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(buf, int64(v.Duration()), 10)
	case slog.KindTime:
		buf = append(buf, '"')
		buf = v.Time().UTC().AppendFormat(buf, time.RFC3339Nano)
		return append(buf, '"')
	case slog.KindGroup:
		// Reached only through a LogValuer inside a struct or map.
		buf = append(buf, '{')
		for _, a := range v.Group() {
			buf, _ = c.appendAttr(buf, a, depth+1)
		}
		return append(buf, '}')
	default:
		return c.appendAny(buf, v.Any(), depth)
	}
}

func isCardNumber(n uint64) bool {
	var d [20]byte
	i := len(d)
	for ; n > 0; n /= 10 {
		i--
		d[i] = byte(n % 10)
	}
	digits := d[i:]
	return len(digits) >= 13 && len(digits) <= 19 && luhn(digits)
}

// appendFloat formats f as encoding/json does; NaN and infinities, which
// JSON cannot carry, become strings.
func appendFloat(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(buf, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(buf, `"-Inf"`...)
	}
	return jsonnum.Append(buf, f)
}

// appendTimestamp appends t in UTC as RFC 3339 with milliseconds.
func appendTimestamp(buf []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(buf, "2006-01-02T15:04:05.000Z07:00")
	}
	hour, minute, sec := t.Clock()
	buf = append4(buf, year)
	buf = append(buf, '-')
	buf = append2(buf, int(month))
	buf = append(buf, '-')
	buf = append2(buf, day)
	buf = append(buf, 'T')
	buf = append2(buf, hour)
	buf = append(buf, ':')
	buf = append2(buf, minute)
	buf = append(buf, ':')
	buf = append2(buf, sec)
	ms := t.Nanosecond() / 1e6
	buf = append(buf, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return buf
}

func append2(buf []byte, n int) []byte {
	return append(buf, byte('0'+n/10), byte('0'+n%10))
}

func append4(buf []byte, n int) []byte {
	return append(buf, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
