package jwtauth

import "unsafe"

// The verification path avoids copying token bytes. Both helpers are used
// only on memory that is never written again: the caller's token string,
// and the decode buffer that parseToken fills once and then only reads.

// stringBytes returns the bytes of s without copying; they must not be
// modified.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// bytesString returns b as a string without copying; b must not be
// modified afterwards.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
