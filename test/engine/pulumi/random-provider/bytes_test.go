package main

import (
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestBytesCheckReportsBadInputsByProperty(t *testing.T) {
	for _, c := range []struct {
		in   resource.PropertyMap
		prop string
	}{
		{resource.PropertyMap{}, "length"},
		{resource.PropertyMap{"length": resource.NewProperty(0.0)}, "length"},
		{resource.PropertyMap{"length": resource.NewProperty(16.0), "special": resource.NewProperty(true)}, "special"},
	} {
		_, failures := checkBytes(c.in)
		if len(failures) == 0 || failures[0].property != c.prop {
			t.Errorf("%v: want a failure on %s, got %v", c.in, c.prop, failures)
		}
	}
	if _, failures := checkBytes(resource.PropertyMap{
		"length":  resource.NewProperty(16.0),
		"keepers": resource.NewObjectProperty(resource.PropertyMap{"passwordRevision": resource.NewProperty("1")}),
	}); len(failures) != 0 {
		t.Errorf("hadb's salt inputs (length 16, keepers) are valid: %v", failures)
	}
}

// hadb's SCRAM salt: 16 bytes, read as base64; hex is the same bytes.
func TestBytesBase64AndHexAreTheSameFreshBytes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		out, err := generateBytesOutputs(resource.PropertyMap{"length": resource.NewProperty(16.0)})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(out["base64"])
		if err != nil || len(raw) != 16 {
			t.Fatalf("base64 %q: %d bytes, %v", out["base64"], len(raw), err)
		}
		if out["hex"] != hex.EncodeToString(raw) {
			t.Fatalf("hex %q is not base64 %q", out["hex"], out["base64"])
		}
		seen[out["base64"]] = true
	}
	if len(seen) != 100 {
		t.Fatalf("values repeat: %d distinct of 100", len(seen))
	}
}
