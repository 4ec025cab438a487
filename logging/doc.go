// Package logging writes structured, sanitised security logs to local files.
package logging
