// pulumi-resource-random STAND-IN, built only for hadb's real-engine test tier (npm run test:engine).
//
// The real provider (pulumi/pulumi-random, a bridge of the Terraform random provider) is not served
// by the Go module registry, so it cannot be built here. This plugin implements the two resources hadb
// creates, random:index/randomPassword:RandomPassword (database passwords, the restic key) and
// random:index/randomBytes:RandomBytes (PostgreSQL SCRAM salts), under the same type tokens and with
// the same inputs, defaults, replace-on-any-change behaviour and secret outputs (`result` and
// `bcryptHash`; `base64` and `hex`), so @pulumi/random's SDK (package.json pins it) drives them
// unchanged. Any other random resource is rejected by name. Values come from crypto/rand.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// resourceKind is one random resource the stand-in implements.
type resourceKind struct {
	// inputKeys: every input; each forces a replacement when it changes (upstream: RequiresReplace).
	inputKeys []resource.PropertyKey
	// check applies upstream's defaults and reports invalid inputs by property.
	check func(resource.PropertyMap) (resource.PropertyMap, []failure)
	// outputKeys: the generated outputs, every one of them secret.
	outputKeys []resource.PropertyKey
	generate   func(resource.PropertyMap) (map[resource.PropertyKey]string, error)
}

var kinds = map[tokens.Type]resourceKind{
	"random:index/randomPassword:RandomPassword": {
		inputKeys: passwordInputKeys, check: checkPassword,
		outputKeys: []resource.PropertyKey{"result", "bcryptHash"}, generate: generatePasswordOutputs,
	},
	"random:index/randomBytes:RandomBytes": {
		inputKeys: bytesInputKeys, check: checkBytes,
		outputKeys: []resource.PropertyKey{"base64", "hex"}, generate: generateBytesOutputs,
	},
}

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

func kindOf(urn string) (resourceKind, error) {
	t := resource.URN(urn).Type()
	kind, ok := kinds[t]
	if !ok {
		return kind, fmt.Errorf("%s: hadb's stand-in random provider implements only RandomPassword and RandomBytes", t)
	}
	return kind, nil
}

func (p *randomProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	kind, err := kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), keep)
	if err != nil {
		return nil, err
	}
	checked, failures := kind.check(news)
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

// Diff: any changed input replaces the value (a new one is generated), as upstream.
func (p *randomProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	kind, err := kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := plugin.UnmarshalProperties(req.GetOldInputs(), keep)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), keep)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, key := range kind.inputKeys {
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
	kind, err := kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), keep)
	if err != nil {
		return nil, err
	}
	outputs := inputs.Copy()
	if req.GetPreview() {
		for _, key := range kind.outputKeys {
			outputs[key] = resource.MakeComputed(resource.NewProperty(""))
		}
	} else {
		if inputs.ContainsUnknowns() {
			return nil, fmt.Errorf("%s inputs are not known at create time", resource.URN(req.GetUrn()).Type().Name())
		}
		generated, err := kind.generate(inputs)
		if err != nil {
			return nil, err
		}
		for key, value := range generated {
			outputs[key] = p.sensitive(value)
		}
	}
	props, err := plugin.MarshalProperties(outputs, secret)
	if err != nil {
		return nil, err
	}
	// Upstream's id for these resources is the constant "none" (the value itself is never an id).
	return &pulumirpc.CreateResponse{Id: "none", Properties: props}, nil
}

// sensitive marks a generated value secret when the engine accepts secrets (it always does since
// Pulumi 2); the SDKs also list them as additional secret outputs.
func (p *randomProvider) sensitive(v string) resource.PropertyValue {
	if p.acceptSecrets {
		return resource.MakeSecret(resource.NewProperty(v))
	}
	return resource.NewProperty(v)
}

// Read: a generated value lives only in state, so refresh returns it unchanged (no drift possible).
func (p *randomProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if _, err := kindOf(req.GetUrn()); err != nil {
		return nil, err
	}
	if len(req.GetProperties().GetFields()) == 0 {
		return nil, fmt.Errorf("importing a random resource is not supported by hadb's stand-in random provider")
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *randomProvider) Update(context.Context, *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, fmt.Errorf("random resources are never updated in place: every input change replaces them")
}

func (p *randomProvider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	_, err := kindOf(req.GetUrn())
	return &emptypb.Empty{}, err
}
