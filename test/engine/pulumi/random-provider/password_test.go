package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// hadb's database passwords: length 32, "-_.~" specials, at least 2 of each letter case and digits.
func hadbInputs() resource.PropertyMap {
	return resource.PropertyMap{
		"length": resource.NewProperty(32.0), "special": resource.NewProperty(true),
		"overrideSpecial": resource.NewProperty("-_.~"), "minLower": resource.NewProperty(2.0),
		"minUpper": resource.NewProperty(2.0), "minNumeric": resource.NewProperty(2.0),
	}
}

func count(s, chars string) int {
	n := 0
	for _, r := range s {
		if strings.ContainsRune(chars, r) {
			n++
		}
	}
	return n
}

func TestCheckAppliesUpstreamDefaults(t *testing.T) {
	out, failures := checkPassword(resource.PropertyMap{"length": resource.NewProperty(16.0)})
	if len(failures) != 0 {
		t.Fatal(failures)
	}
	for _, k := range []resource.PropertyKey{"lower", "upper", "numeric", "number", "special"} {
		if !out[k].BoolValue() {
			t.Errorf("%s defaults to true", k)
		}
	}
	if out["minSpecial"].NumberValue() != 0 || out["overrideSpecial"].StringValue() != "" {
		t.Errorf("minimums default to 0 and overrideSpecial to empty: %v", out)
	}
}

func TestCheckReportsBadInputsByProperty(t *testing.T) {
	for _, c := range []struct {
		in   resource.PropertyMap
		prop string
	}{
		{resource.PropertyMap{}, "length"},
		{resource.PropertyMap{"length": resource.NewProperty(0.0)}, "length"},
		{resource.PropertyMap{"length": resource.NewProperty(3.0), "minUpper": resource.NewProperty(4.0)}, "length"},
		{resource.PropertyMap{"length": resource.NewProperty(3.0), "minUpper": resource.NewProperty(-1.0)}, "minUpper"},
		{resource.PropertyMap{"length": resource.NewProperty(3.0), "colour": resource.NewProperty("red")}, "colour"},
	} {
		_, failures := checkPassword(c.in)
		if len(failures) == 0 || failures[0].property != c.prop {
			t.Errorf("%v: want a failure on %s, got %v", c.in, c.prop, failures)
		}
	}
}

func TestGenerateHonoursClassesAndMinimums(t *testing.T) {
	checked, _ := checkPassword(hadbInputs())
	spec := specOf(checked)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p, err := generate(spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 32 {
			t.Fatalf("length %d", len(p))
		}
		if count(p, lowerChars) < 2 || count(p, upperChars) < 2 || count(p, numericChars) < 2 {
			t.Fatalf("minimums not met: %s", p)
		}
		if other := len(p) - count(p, lowerChars+upperChars+numericChars+"-_.~"); other != 0 {
			t.Fatalf("a character outside the allowed classes: %s", p)
		}
		seen[p] = true
	}
	if len(seen) != 200 {
		t.Fatalf("passwords repeat: %d distinct of 200", len(seen))
	}
}

func TestGenerateWithoutSpecials(t *testing.T) {
	checked, _ := checkPassword(resource.PropertyMap{
		"length": resource.NewProperty(40.0), "special": resource.NewProperty(false),
	})
	p, err := generate(specOf(checked))
	if err != nil || count(p, lowerChars+upperChars+numericChars) != 40 {
		t.Fatalf("%q %v", p, err)
	}
}
