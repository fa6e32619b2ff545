package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func writeJSON(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackagesReadsPluginManifests(t *testing.T) {
	dir := t.TempDir()
	nm := filepath.Join(dir, "node_modules")
	writeJSON(t, filepath.Join(nm, "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.21.2","pulumi":{"resource":true,"name":"random","version":"4.21.2"}}`)
	writeJSON(t, filepath.Join(nm, "@pulumi", "kubernetes", "package.json"),
		`{"name":"@pulumi/kubernetes","version":"4.34.2","pulumi":{"resource":true}}`)
	writeJSON(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeJSON(t, filepath.Join(nm, "yaml", "package.json"), `{"name":"yaml","version":"2.9.1"}`)
	// A nested copy at another version is a second requirement; a duplicate is not.
	writeJSON(t, filepath.Join(nm, "x", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.20.0","pulumi":{"resource":true}}`)
	writeJSON(t, filepath.Join(nm, "y", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.21.2","pulumi":{"resource":true}}`)
	got, err := requiredPackages(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		if p.Kind != "resource" {
			t.Errorf("%s: kind %q", p.Name, p.Kind)
		}
		names = append(names, p.Name+"@"+p.Version)
	}
	want := []string{"kubernetes@v4.34.2", "random@v4.20.0", "random@v4.21.2"}
	if !slices.Equal(names, want) {
		t.Fatalf("required packages %v, want %v", names, want)
	}
}

func TestRequiredPackagesWithoutNodeModulesFails(t *testing.T) {
	_, err := requiredPackages(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Fatalf("want an error telling to run npm ci, got %v", err)
	}
}

func TestProgramEnvCarriesConfigAndSecretKeysOutsideTheCommandLine(t *testing.T) {
	opts, _ := structpb.NewStruct(map[string]any{"typescript": true})
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "hadb", Stack: "dev", Pwd: "/p", DryRun: true, Parallel: 4,
		Config:           map[string]string{"hadb:cloud": "existing", "hadb:token": "s3cret"},
		ConfigSecretKeys: []string{"hadb:token"},
		Info:             &pulumirpc.ProgramInfo{RootDirectory: "/p", ProgramDirectory: "/p", EntryPoint: ".", Options: opts},
	}
	env, err := programEnv([]string{"PATH=/bin"}, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`PULUMI_CONFIG={"hadb:cloud":"existing","hadb:token":"s3cret"}`,
		`PULUMI_CONFIG_SECRET_KEYS=["hadb:token"]`,
		"PULUMI_NODEJS_TYPESCRIPT=true",
		"PATH=/bin",
	} {
		if !slices.Contains(env, want) {
			t.Errorf("env lacks %s: %v", want, env)
		}
	}
	args := runArgs("/p/node_modules/@pulumi/pulumi/cmd/run", "127.0.0.1:2", req)
	line := strings.Join(args, " ")
	if strings.Contains(line, "s3cret") {
		t.Fatalf("a config value on the command line: %s", line)
	}
	want := "/p/node_modules/@pulumi/pulumi/cmd/run --monitor 127.0.0.1:1 --engine 127.0.0.1:2 --project hadb " +
		"--stack dev --pwd /p --root-directory /p --dry-run --parallel 4 ."
	if line != want {
		t.Fatalf("run args\n got %s\nwant %s", line, want)
	}
}

func TestTypeScriptCanBeTurnedOff(t *testing.T) {
	opts, _ := structpb.NewStruct(map[string]any{"typescript": false})
	if typeScript(&pulumirpc.ProgramInfo{Options: opts}) {
		t.Fatal("typescript: false ignored")
	}
	if !typeScript(&pulumirpc.ProgramInfo{}) {
		t.Fatal("TypeScript is the default")
	}
}

func TestSdkScriptIsFoundAboveTheProgram(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"), "")
	got, err := sdkScript(filepath.Join(dir, "policy"), "run-policy-pack")
	if err != nil || got != filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack") {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := sdkScript(filepath.Join(dir, "policy"), "run"); err == nil {
		t.Fatal("a missing script was found")
	}
}
