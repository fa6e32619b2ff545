package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON holds the fields of a package.json that name a Pulumi resource plugin:
// "pulumi": {"resource": true, "name": ..., "version": ..., "server": ...}.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPackages lists the resource plugins of the packages installed in the program's
// node_modules (top level, scoped and nested), one per name and version, sorted.
func requiredPackages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	root := filepath.Join(programDir, "node_modules")
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("no node_modules in %s (run npm ci): %w", programDir, err)
	}
	seen := map[string]*pulumirpc.PackageDependency{}
	if err := scanModules(root, seen, 0); err != nil {
		return nil, err
	}
	out := make([]*pulumirpc.PackageDependency, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Version < out[j].Name+out[j].Version })
	return out, nil
}

// scanModules reads node_modules/<pkg>/package.json and node_modules/@scope/<pkg>/package.json,
// then the packages' own node_modules (bounded depth: npm hoists, nesting is shallow).
func scanModules(dir string, seen map[string]*pulumirpc.PackageDependency, depth int) error {
	if depth > 8 {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no nested node_modules
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		if strings.HasPrefix(name, "@") {
			if err := scanModules(path, seen, depth); err != nil {
				return err
			}
			continue
		}
		if err := readPackage(path, seen); err != nil {
			return err
		}
		if err := scanModules(filepath.Join(path, "node_modules"), seen, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func readPackage(dir string, seen map[string]*pulumirpc.PackageDependency) error {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil // a scope directory or a package without a manifest
	}
	var info packageJSON
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(dir, "package.json"), err)
	}
	if !info.Pulumi.Resource {
		return nil
	}
	name := info.Pulumi.Name
	if name == "" {
		// @pulumi/x provides plugin x; other scoped packages keep their scope without the "@".
		name = strings.TrimPrefix(strings.TrimPrefix(info.Name, "@pulumi/"), "@")
	}
	version := info.Pulumi.Version
	if version == "" {
		version = info.Version
	}
	if version == "" {
		return fmt.Errorf("%s: a Pulumi resource package without a version", dir)
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	key := name + "@" + version
	if _, ok := seen[key]; !ok {
		seen[key] = &pulumirpc.PackageDependency{
			Name: name, Kind: "resource", Version: version, Server: info.Pulumi.Server,
		}
	}
	return nil
}
