// pulumi-resource-random STAND-IN, built only for hadb's real-engine test tier (npm run test:engine).
//
// The real provider (pulumi/pulumi-random, a bridge of the Terraform random provider) is not served
// by the Go module registry, so it cannot be built here. This plugin implements the one resource hadb
// creates, random:index/randomPassword:RandomPassword, under the same type token and with the same
// inputs, defaults, replace-on-any-change behaviour and secret outputs (`result`, `bcryptHash`), so
// @pulumi/random's SDK (package.json pins it) drives it unchanged. Any other random resource is
// rejected by name. Passwords come from crypto/rand.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/types/known/emptypb"
)

const passwordType = "random:index/randomPassword:RandomPassword"

// version: the @pulumi/random release whose resource this mirrors, labelled as hadb's stand-in.
var version = "4.21.2+hadb.standin"

func main() {
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &randomProvider{}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-random (hadb stand-in): %v\n", err)
		os.Exit(1)
	}
}

type randomProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	acceptSecrets bool
}

var (
	keep   = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}
	secret = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true}
)

func (p *randomProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *randomProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"random","version":"` + version + `"}`}, nil
}

func (p *randomProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *randomProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *randomProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	p.acceptSecrets = req.GetAcceptSecrets()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func requirePassword(urn string) error {
	if t := resource.URN(urn).Type(); t != passwordType {
		return fmt.Errorf("%s: hadb's stand-in random provider implements only %s", t, passwordType)
	}
	return nil
}

func (p *randomProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := requirePassword(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), keep)
	if err != nil {
		return nil, err
	}
	checked, failures := checkPassword(news)
	inputs, err := plugin.MarshalProperties(checked, keep)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: inputs}
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.property, Reason: f.reason})
	}
	return resp, nil
}

// Diff: any changed input replaces the password (a new one is generated), as upstream.
func (p *randomProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := plugin.UnmarshalProperties(req.GetOldInputs(), keep)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), keep)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, key := range inputKeys {
		o, n := olds[key], news[key]
		if !o.DeepEquals(n) || n.ContainsUnknowns() {
			changed = append(changed, string(key))
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: changed, Diffs: changed}, nil
}

func (p *randomProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := requirePassword(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), keep)
	if err != nil {
		return nil, err
	}
	outputs := inputs.Copy()
	if req.GetPreview() {
		outputs["result"] = resource.MakeComputed(resource.NewProperty(""))
		outputs["bcryptHash"] = resource.MakeComputed(resource.NewProperty(""))
	} else {
		if inputs.ContainsUnknowns() {
			return nil, fmt.Errorf("RandomPassword inputs are not known at create time")
		}
		password, err := generate(specOf(inputs))
		if err != nil {
			return nil, err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		outputs["result"] = p.sensitive(password)
		outputs["bcryptHash"] = p.sensitive(string(hash))
	}
	props, err := plugin.MarshalProperties(outputs, secret)
	if err != nil {
		return nil, err
	}
	// Upstream's id for a password is the constant "none" (the value itself is never an id).
	return &pulumirpc.CreateResponse{Id: "none", Properties: props}, nil
}

// sensitive marks a generated value secret when the engine accepts secrets (it always does since
// Pulumi 2); the SDK also lists result and bcryptHash as additional secret outputs.
func (p *randomProvider) sensitive(v string) resource.PropertyValue {
	if p.acceptSecrets {
		return resource.MakeSecret(resource.NewProperty(v))
	}
	return resource.NewProperty(v)
}

// Read: a password lives only in state, so refresh returns it unchanged (no drift possible).
func (p *randomProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := requirePassword(req.GetUrn()); err != nil {
		return nil, err
	}
	if len(req.GetProperties().GetFields()) == 0 {
		return nil, fmt.Errorf("importing a RandomPassword is not supported by hadb's stand-in random provider")
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *randomProvider) Update(context.Context, *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, fmt.Errorf("RandomPassword is never updated in place: every input change replaces it")
}

func (p *randomProvider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, requirePassword(req.GetUrn())
}
