package logging

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // its keys must still never be logged
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"net/url"
	"reflect"
	"strings"
)

// Values whose type alone decides how they are logged: private key
// material is never written, and URLs and their userinfo are written
// without the password, whatever the key, the depth or the scanner's view
// of the text.

// appendByType appends x when its type, t, is one of those and reports
// whether it did.
func (c *core) appendByType(buf []byte, x any, t reflect.Type) ([]byte, bool) {
	switch x := x.(type) {
	case *url.URL:
		return c.red.appendString(buf, urlString(x)), true
	case url.URL:
		return c.red.appendString(buf, urlString(&x)), true
	case *url.Userinfo:
		return c.red.appendString(buf, userinfoString(x)), true
	case url.Userinfo:
		return c.red.appendString(buf, userinfoString(&x)), true
	}
	if isPrivateKey(t) {
		return appendQuotedMark(buf, labelPrivateKey), true
	}
	return buf, false
}

// isPrivateKey reports whether values of type t are private keys: the
// standard library's key types, by value or pointer, and any type whose
// value or pointer is a crypto.Signer, crypto.Decrypter or
// crypto.Decapsulator.
func isPrivateKey(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return false // decided by the dynamic value
	case reflect.Pointer:
		return isKeyType(t.Elem()) || hasKeyMethods(t)
	}
	if isKeyType(t) || hasKeyMethods(t) {
		return true
	}
	// Only a named type or a struct (through embedded fields) can have
	// methods on its pointer.
	return (t.Name() != "" || t.Kind() == reflect.Struct) && hasKeyMethods(reflect.PointerTo(t))
}

// isKeyType reports the standard library's private key types.
func isKeyType(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[rsa.PrivateKey](), reflect.TypeFor[ecdsa.PrivateKey](), reflect.TypeFor[ed25519.PrivateKey](),
		reflect.TypeFor[ecdh.PrivateKey](), reflect.TypeFor[dsa.PrivateKey]():
		return true
	}
	return false
}

// hasKeyMethods reports whether t is a crypto.Signer, crypto.Decrypter or
// crypto.Decapsulator; each of them needs two methods at least.
func hasKeyMethods(t reflect.Type) bool {
	if t.NumMethod() < 2 {
		return false
	}
	return t.Implements(reflect.TypeFor[crypto.Signer]()) || t.Implements(reflect.TypeFor[crypto.Decrypter]()) ||
		t.Implements(reflect.TypeFor[crypto.Decapsulator]())
}

func appendQuotedMark(buf []byte, label string) []byte {
	buf = append(buf, '"')
	buf = appendMark(buf, label)
	return append(buf, '"')
}

// passwordMark replaces the password of a URL's userinfo.
const passwordMark = redactedPrefix + labelURLPassword + "]"

// urlString is u.String() with the userinfo password, if any, replaced by
// the redaction mark.
func urlString(u *url.URL) string {
	if _, has := u.User.Password(); !has || u.Opaque != "" {
		return u.String()
	}
	ru := *u
	ru.User = url.User(u.User.Username())
	s := ru.String()
	// The userinfo follows the first "//" and ends at the first '@', which
	// an escaped username cannot contain.
	if i := strings.Index(s, "//"); i >= 0 {
		if j := strings.IndexByte(s[i:], '@'); j >= 0 {
			return s[:i+j] + ":" + passwordMark + s[i+j:]
		}
	}
	return u.Redacted()
}

// userinfoString is the username of ui, followed by the redaction mark when
// ui holds a password.
func userinfoString(ui *url.Userinfo) string {
	if _, has := ui.Password(); has {
		return ui.Username() + ":" + passwordMark
	}
	return ui.Username()
}
