package scenario

import (
	"context"

	"google.golang.org/grpc"

	"github.com/ztkit/ztkit/examples/internal/ordersapi"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/mtls"
)

// dialOrders places an order directly at the orders service as the workload
// whose SVIDs src holds.
func dialOrders(ctx context.Context, src mtls.Source, addr, token string) error {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(mtls.ClientCredentials(src, mtls.AuthorizeID(OrdersID))),
		grpc.WithPerRPCCredentials(jwtauth.PerRPCCredentials(jwtauth.StaticToken(token))))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = ordersapi.PlaceOrder(ctx, conn, "widget")
	return err
}
