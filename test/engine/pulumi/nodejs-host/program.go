package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// errorAlreadyReported is the exit code @pulumi/pulumi's scripts use after logging a user-actionable
// error through the engine; the host then bails without adding a second message.
const errorAlreadyReported = 32

// sdkScript finds @pulumi/pulumi's cmd/<name> script the way node resolves the package: in the
// node_modules of the program's directory or of any directory above it.
func sdkScript(programDir, name string) (string, error) {
	dir, err := filepath.Abs(programDir)
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("@pulumi/pulumi is not installed in or above %s (run npm ci)", programDir)
		}
		dir = parent
	}
}

// option reads a runtime option from Pulumi.yaml (runtime.options) or PulumiPolicy.yaml.
func option(info *pulumirpc.ProgramInfo, key string) (string, bool) {
	value, ok := info.GetOptions().GetFields()[key]
	if !ok {
		return "", false
	}
	switch v := value.AsInterface().(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	default:
		return "", false
	}
}

// typeScript: as in the official host, programs are TypeScript unless `typescript: false`.
func typeScript(info *pulumirpc.ProgramInfo) bool {
	v, ok := option(info, "typescript")
	return !ok || v == "true"
}

func entryPoint(info *pulumirpc.ProgramInfo) string {
	if e := info.GetEntryPoint(); e != "" {
		return e
	}
	return "."
}

// runArgs is cmd/run's command line (its usage lists the flags).
func runArgs(script, engineAddress string, req *pulumirpc.RunRequest) []string {
	args := []string{script}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("root-directory", req.GetInfo().GetRootDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	args = append(args, entryPoint(req.GetInfo()))
	return append(args, req.GetArgs()...)
}

// programEnv hands the stack's config and the names of its secret keys to the program through the
// variables @pulumi/pulumi's runtime reads (PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS), plus the
// TypeScript options. Config values never appear on a command line.
func programEnv(base []string, req *pulumirpc.RunRequest) ([]string, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(append([]string(nil), base...),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	info := req.GetInfo()
	if typeScript(info) {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := option(info, "tsconfig"); ok {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	if nodeargs, ok := option(info, "nodeargs"); ok {
		env = append(env, "NODE_OPTIONS="+nodeargs)
	}
	return env, nil
}
