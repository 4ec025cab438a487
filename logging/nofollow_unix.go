//go:build unix

package logging

import "syscall"

// oNoFollow makes opening the log file fail if its last element is a
// symbolic link.
const oNoFollow = syscall.O_NOFOLLOW | syscall.O_CLOEXEC
