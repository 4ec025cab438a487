//go:build !unix

package logging

const oNoFollow = 0
