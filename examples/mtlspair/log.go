package mtlspair

import (
	"io"
	"log"
)

// discardLogger silences the server's own log of refused handshakes; the
// scenario reports them itself.
func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
