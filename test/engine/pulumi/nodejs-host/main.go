// pulumi-language-nodejs STAND-IN, built only for hadb's real-engine test tier (npm run test:engine).
//
// The official Node.js language host lives in pulumi/pulumi's sdk/nodejs/cmd/pulumi-language-nodejs,
// a module the Go module registry does not serve, so it cannot be built here. This host implements
// the part of the LanguageRuntime protocol that `pulumi preview/up/refresh/destroy` and CrossGuard
// policy packs use, the same way the official host does: it starts @pulumi/pulumi's own scripts
// (cmd/run for programs, cmd/run-policy-pack for policy packs) with node, hands them the stack's
// config and secret keys through the environment variables those scripts read, and reports the
// resource plugins a program needs from its node_modules. Code generation, `pulumi new`, `pulumi
// install` and `pulumi about` are not implemented (they answer Unimplemented).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is the @pulumi/pulumi release this stand-in was written against (set by the build).
var version = "3.248.0"

func main() {
	// The engine may pass -tracing and the logging flags (-v, -logtostderr, -logflow: registered by
	// the SDK's logging package); this stand-in accepts and ignores them.
	if flag.Lookup("tracing") == nil {
		flag.String("tracing", "", "ignored by this stand-in")
	}
	if flag.Lookup("logflow") == nil {
		flag.Bool("logflow", false, "ignored by this stand-in")
	}
	flag.Parse()
	node, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs (hadb stand-in): node is not on $PATH")
		os.Exit(1)
	}
	host := &nodeHost{node: node}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (hadb stand-in): %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (hadb stand-in): %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	node          string
	engineAddress string
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram()
	}
	packages, err := requiredPackages(dir)
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(packages))
	for _, p := range packages {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	packages, err := requiredPackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// Run executes a Pulumi program with @pulumi/pulumi's cmd/run, as the official host does.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	script, err := sdkScript(info.GetProgramDirectory(), "run")
	if err != nil {
		return nil, err
	}
	env, err := programEnv(os.Environ(), req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, h.node, runArgs(script, h.engineAddress, req)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == errorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
}

// RunPlugin runs a CrossGuard policy pack (PulumiPolicy.yaml) through @pulumi/pulumi's
// cmd/run-policy-pack, streaming its output back to the engine, which reads the pack's port from
// stdout. Resource providers written in Node.js are not supported by this stand-in.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented, "hadb's stand-in Node.js host runs policy packs only, not %q plugins", req.GetKind())
	}
	dir := req.GetInfo().GetProgramDirectory()
	script, err := sdkScript(dir, "run-policy-pack")
	if err != nil {
		return err
	}
	// run-policy-pack <engine address> <program>: the engine passes its address as the only argument.
	args := append([]string{script}, req.GetArgs()...)
	args = append(args, filepath.Join(dir, entryPoint(req.GetInfo())))
	cmd := exec.CommandContext(stream.Context(), h.node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	if typeScript(req.GetInfo()) {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	cmd.Stdout = &streamWriter{send: func(b []byte) error {
		return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = &streamWriter{send: func(b []byte) error {
		return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return fmt.Errorf("could not run node: %w", err)
		}
		code = int32(exit.ExitCode())
	}
	return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

type streamWriter struct{ send func([]byte) error }

func (w *streamWriter) Write(b []byte) (int, error) {
	if err := w.send(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
