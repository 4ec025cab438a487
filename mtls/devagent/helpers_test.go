package devagent_test

import (
	"crypto/x509"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

func verifyWith(c *workloadapi.X509Context, svid *x509svid.SVID) (spiffeid.ID, [][]*x509.Certificate, error) {
	return x509svid.Verify(svid.Certificates, c.Bundles)
}
