package mtlspair

import (
	"fmt"
	"net/http"

	"github.com/ztkit/ztkit/mtls"
)

// inventoryHandler reserves an item and says who asked. Only the orders
// service reaches it: the mTLS authorizer refuses everyone else during the
// handshake.
func inventoryHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/reserve", func(w http.ResponseWriter, r *http.Request) {
		caller, _ := mtls.PeerIDFromRequest(r)
		fmt.Fprintf(w, "reserved %s for %s", r.URL.Query().Get("item"), caller)
	})
	return mux
}
