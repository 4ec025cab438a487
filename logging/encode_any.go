package logging

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds nesting of maps, slices, structs and pointers, so a
// cyclic value ends in a mark instead of a stack overflow.
const maxDepth = 32

// appendAny appends an arbitrary value. Errors, fmt.Stringers and
// marshalers are converted first and their output sanitised like any
// other string or JSON; a panic in user code becomes a string.
func (c *core) appendAny(buf []byte, x any, depth int) (out []byte) {
	mark := len(buf)
	defer func() {
		if p := recover(); p != nil {
			out = c.red.appendString(buf[:mark], fmt.Sprintf("!PANIC: %v", p))
		}
	}()
	if depth > maxDepth {
		return append(buf, `"[TRUNCATED:depth]"`...)
	}
	switch x := x.(type) {
	case nil:
		return append(buf, "null"...)
	case Secret:
		return append(buf, `"[REDACTED:secret]"`...)
	case string:
		return c.red.appendString(buf, x)
	case []byte:
		return c.red.appendString(buf, string(x))
	case slog.Value:
		return c.appendValue(buf, x.Resolve(), depth+1)
	case slog.LogValuer:
		if isPrivateKey(reflect.TypeOf(x)) {
			return appendQuotedMark(buf, labelPrivateKey)
		}
		return c.appendValue(buf, slog.AnyValue(x).Resolve(), depth+1)
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return append(buf, "null"...)
	}
	if out, ok := c.appendByType(buf, x, rv.Type()); ok {
		return out
	}
	switch x := x.(type) {
	case error:
		return c.red.appendString(buf, x.Error())
	case json.Marshaler:
		data, err := x.MarshalJSON()
		if err != nil {
			return c.red.appendString(buf, "!ERROR: "+err.Error())
		}
		return c.appendJSON(buf, data, depth)
	case encoding.TextMarshaler:
		data, err := x.MarshalText()
		if err != nil {
			return c.red.appendString(buf, "!ERROR: "+err.Error())
		}
		return c.red.appendString(buf, string(data))
	case fmt.Stringer:
		return c.red.appendString(buf, x.String())
	}
	return c.appendReflect(buf, rv, depth)
}

func (c *core) appendReflect(buf []byte, v reflect.Value, depth int) []byte {
	switch v.Kind() {
	case reflect.Invalid:
		return append(buf, "null"...)
	case reflect.Bool:
		return strconv.AppendBool(buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.appendValue(buf, slog.Int64Value(v.Int()), depth)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return c.appendValue(buf, slog.Uint64Value(v.Uint()), depth)
	case reflect.Float32, reflect.Float64:
		return appendFloat(buf, v.Float())
	case reflect.String:
		return c.red.appendString(buf, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(buf, "null"...)
		}
		return c.appendElem(buf, v.Elem(), depth+1)
	case reflect.Struct:
		buf = append(buf, '{')
		buf = c.appendFields(buf, v, depth+1)
		return append(buf, '}')
	case reflect.Map:
		return c.appendMap(buf, v, depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(buf, "null"...)
		}
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			return c.red.appendString(buf, string(v.Bytes()))
		}
		buf = append(buf, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = c.appendElem(buf, v.Index(i), depth+1)
		}
		return append(buf, ']')
	default:
		return c.red.appendString(buf, v.Type().String())
	}
}

// appendElem appends a value reached by reflection, going back through
// appendAny when it can so that its methods are honoured.
func (c *core) appendElem(buf []byte, v reflect.Value, depth int) []byte {
	if v.CanInterface() {
		return c.appendAny(buf, v.Interface(), depth)
	}
	if isPrivateKey(v.Type()) {
		return appendQuotedMark(buf, labelPrivateKey)
	}
	return c.appendReflect(buf, v, depth)
}

// appendFields appends the members of struct v, named and filtered as
// encoding/json does; a field tagged `log:"-"` is left out and one tagged
// `log:"redact"` is redacted.
func (c *core) appendFields(buf []byte, v reflect.Value, depth int) []byte {
	if depth > maxDepth {
		return buf
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if tag == "-" || f.Tag.Get("log") == "-" {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				ft, fv = ft.Elem(), fv.Elem()
			}
			if isPrivateKey(ft) {
				// An embedded key would spread its fields into the
				// struct: write one redacted member in their place.
				buf = c.appendKey(buf, f.Name)
				buf = appendQuotedMark(buf, labelPrivateKey)
				continue
			}
			if ft.Kind() == reflect.Struct {
				buf = c.appendFields(buf, fv, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		buf = c.appendKey(buf, name)
		if f.Tag.Get("log") == "redact" || c.red.keys.sensitive(name) {
			buf = append(buf, `"[REDACTED:key]"`...)
			continue
		}
		buf = c.appendElem(buf, fv, depth)
	}
	return buf
}

func (c *core) appendMap(buf []byte, v reflect.Value, depth int) []byte {
	if v.IsNil() {
		return append(buf, "null"...)
	}
	type kv struct {
		k string
		v reflect.Value
	}
	entries := make([]kv, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		entries = append(entries, kv{mapKey(it.Key()), it.Value()})
	}
	slices.SortFunc(entries, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	buf = append(buf, '{')
	for _, e := range entries {
		buf = c.appendKey(buf, e.k)
		if c.red.keys.sensitive(e.k) {
			buf = append(buf, `"[REDACTED:key]"`...)
			continue
		}
		buf = c.appendElem(buf, e.v, depth)
	}
	return append(buf, '}')
}

func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
			if b, err := tm.MarshalText(); err == nil {
				return string(b)
			}
		}
	}
	return fmt.Sprint(k)
}

// appendJSON re-encodes JSON produced by a json.Marshaler through the
// sanitiser, member by member, keeping order.
func (c *core) appendJSON(buf []byte, data []byte, depth int) []byte {
	mark := len(buf)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	out, err := c.appendJSONValue(buf, dec, depth)
	if err != nil {
		return c.red.appendString(buf[:mark], "!ERROR: MarshalJSON returned invalid JSON")
	}
	return out
}

func (c *core) appendJSONValue(buf []byte, dec *json.Decoder, depth int) ([]byte, error) {
	if depth > maxDepth {
		var skip json.RawMessage
		return append(buf, `"[TRUNCATED:depth]"`...), dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return buf, err
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := byte(']')
		if t == '{' {
			closing = '}'
		}
		buf = append(buf, byte(t))
		for n := 0; dec.More(); n++ {
			if t == '{' {
				kt, err := dec.Token()
				if err != nil {
					return buf, err
				}
				k, _ := kt.(string)
				buf = c.appendKey(buf, k)
				if c.red.keys.sensitive(k) {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return buf, err
					}
					buf = append(buf, `"[REDACTED:key]"`...)
					continue
				}
			} else if n > 0 {
				buf = append(buf, ',')
			}
			if buf, err = c.appendJSONValue(buf, dec, depth+1); err != nil {
				return buf, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return buf, err
		}
		return append(buf, closing), nil
	case string:
		return c.red.appendString(buf, t), nil
	case json.Number:
		return append(buf, t...), nil
	case bool:
		return strconv.AppendBool(buf, t), nil
	default:
		return append(buf, "null"...), nil
	}
}
