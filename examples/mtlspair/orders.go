package mtlspair

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/ztkit/ztkit/mtls"
)

// PlaceOrderMethod is the full gRPC method name of the orders service.
const PlaceOrderMethod = "/ztkit.examples.Orders/PlaceOrder"

// ordersService is a gRPC service that reserves stock at inventory over
// mutual TLS. Its messages are protobuf Structs, so the example needs no
// generated code.
type ordersService struct {
	inventoryURL string
	inventory    *http.Client
}

func (s *ordersService) placeOrder(ctx context.Context, req *structpb.Struct) (*structpb.Struct, error) {
	caller, _ := mtls.PeerIDFromContext(ctx)
	item := req.GetFields()["item"].GetStringValue()
	if item == "" {
		return nil, status.Error(codes.InvalidArgument, "item is required")
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.inventoryURL+"/v1/reserve?item="+item, nil)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp, err := s.inventory.Do(httpReq)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "inventory: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return nil, status.Errorf(codes.FailedPrecondition, "inventory answered %d", resp.StatusCode)
	}
	return structpb.NewStruct(map[string]any{
		"item":      item,
		"caller":    caller.String(),
		"inventory": string(body),
	})
}

// ordersServiceDesc describes the service by hand, as protoc would.
var ordersServiceDesc = grpc.ServiceDesc{
	ServiceName: "ztkit.examples.Orders",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "PlaceOrder",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(structpb.Struct)
			if err := dec(req); err != nil {
				return nil, err
			}
			s := srv.(*ordersService)
			if icpt == nil {
				return s.placeOrder(ctx, req)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: PlaceOrderMethod}
			return icpt(ctx, req, info, func(ctx context.Context, req any) (any, error) {
				return s.placeOrder(ctx, req.(*structpb.Struct))
			})
		},
	}},
}

// PlaceOrder calls the orders service on conn.
func PlaceOrder(ctx context.Context, conn grpc.ClientConnInterface, item string) (*structpb.Struct, error) {
	req, err := structpb.NewStruct(map[string]any{"item": item})
	if err != nil {
		return nil, fmt.Errorf("orders request: %w", err)
	}
	resp := new(structpb.Struct)
	if err := conn.Invoke(ctx, PlaceOrderMethod, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}
