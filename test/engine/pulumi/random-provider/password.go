package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
)

// The character classes of the Terraform random provider (behind @pulumi/random): its default
// special set, replaced entirely by overrideSpecial.
const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

// passwordSpec is a RandomPassword's inputs after defaults.
type passwordSpec struct {
	Length                                     int
	Lower, Upper, Numeric, Special             bool
	OverrideSpecial                            string
	MinLower, MinUpper, MinNumeric, MinSpecial int
}

// passwordInputKeys are every input of random:index/randomPassword:RandomPassword; all of them force
// a replacement when they change (the upstream provider marks each RequiresReplace).
var passwordInputKeys = []resource.PropertyKey{
	"keepers", "length", "lower", "upper", "numeric", "number", "special", "overrideSpecial",
	"minLower", "minUpper", "minNumeric", "minSpecial",
}

// checkPassword applies the upstream defaults to the inputs and reports invalid ones by property.
func checkPassword(news resource.PropertyMap) (resource.PropertyMap, []failure) {
	out := news.Copy()
	failures := inputFailures("RandomPassword", passwordInputKeys, news)
	for _, key := range []resource.PropertyKey{"lower", "upper", "special"} {
		if _, ok := out[key]; !ok {
			out[key] = resource.NewProperty(true)
		}
	}
	// `number` is the deprecated spelling of `numeric`; upstream keeps both in step.
	numeric, hasNumeric := out["numeric"]
	number, hasNumber := out["number"]
	switch {
	case !hasNumeric && hasNumber:
		out["numeric"] = number
	case !hasNumeric:
		out["numeric"] = resource.NewProperty(true)
	}
	if !hasNumber {
		out["number"] = out["numeric"]
	} else if hasNumeric && number.IsBool() && numeric.IsBool() && number.BoolValue() != numeric.BoolValue() {
		failures = append(failures, failure{"number", "number and numeric disagree (number is the deprecated name of numeric)"})
	}
	total := 0.0
	for _, key := range []resource.PropertyKey{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		v, ok := out[key]
		if !ok {
			out[key] = resource.NewProperty(0.0)
			continue
		}
		if v.IsNumber() {
			if v.NumberValue() < 0 {
				failures = append(failures, failure{string(key), fmt.Sprintf("%s must not be negative", key)})
			}
			total += v.NumberValue()
		}
	}
	if length, ok := news["length"]; ok && length.IsNumber() && total > length.NumberValue() {
		failures = append(failures, failure{"length", fmt.Sprintf(
			"length %v is shorter than the minimum counts it must hold (%v)", length.NumberValue(), total)})
	}
	if _, ok := out["overrideSpecial"]; !ok {
		out["overrideSpecial"] = resource.NewProperty("")
	}
	return out, failures
}

type failure struct{ property, reason string }

// inputFailures: properties the resource does not have, and `length` missing or below 1 (upstream's
// validator; both resources require it).
func inputFailures(resourceName string, allowed []resource.PropertyKey, news resource.PropertyMap) []failure {
	var failures []failure
	for key := range news {
		if !containsKey(allowed, key) {
			failures = append(failures, failure{string(key), fmt.Sprintf("unknown property %q of %s", key, resourceName)})
		}
	}
	length, ok := news["length"]
	switch {
	case !ok:
		failures = append(failures, failure{"length", "length is required"})
	case length.IsNumber() && length.NumberValue() < 1:
		failures = append(failures, failure{"length", fmt.Sprintf("length must be at least 1, got %v", length.NumberValue())})
	}
	return failures
}

func containsKey(keys []resource.PropertyKey, key resource.PropertyKey) bool {
	for _, k := range keys {
		if k == key {
			return true
		}
	}
	return false
}

// generatePasswordOutputs: `result` and its `bcryptHash`, as upstream.
func generatePasswordOutputs(inputs resource.PropertyMap) (map[resource.PropertyKey]string, error) {
	password, err := generate(specOf(inputs))
	if err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	return map[resource.PropertyKey]string{"result": password, "bcryptHash": string(hash)}, nil
}

func specOf(inputs resource.PropertyMap) passwordSpec {
	num := func(k resource.PropertyKey) int {
		if v, ok := inputs[k]; ok && v.IsNumber() {
			return int(v.NumberValue())
		}
		return 0
	}
	flag := func(k resource.PropertyKey) bool {
		v, ok := inputs[k]
		return !ok || !v.IsBool() || v.BoolValue()
	}
	override := ""
	if v, ok := inputs["overrideSpecial"]; ok && v.IsString() {
		override = v.StringValue()
	}
	return passwordSpec{
		Length: num("length"), Lower: flag("lower"), Upper: flag("upper"), Numeric: flag("numeric"),
		Special: flag("special"), OverrideSpecial: override, MinLower: num("minLower"), MinUpper: num("minUpper"),
		MinNumeric: num("minNumeric"), MinSpecial: num("minSpecial"),
	}
}

// generate draws the minimum count of each class, fills the rest from every enabled class and
// shuffles, all from crypto/rand, as upstream does.
func generate(spec passwordSpec) (string, error) {
	special := specialChars
	if spec.OverrideSpecial != "" {
		special = spec.OverrideSpecial
	}
	pool := ""
	for _, c := range []struct {
		on    bool
		chars string
	}{{spec.Upper, upperChars}, {spec.Lower, lowerChars}, {spec.Numeric, numericChars}, {spec.Special, special}} {
		if c.on {
			pool += c.chars
		}
	}
	out := make([]byte, 0, spec.Length)
	for _, m := range []struct {
		chars string
		n     int
	}{{numericChars, spec.MinNumeric}, {lowerChars, spec.MinLower}, {upperChars, spec.MinUpper}, {special, spec.MinSpecial}} {
		b, err := draw(m.chars, m.n)
		if err != nil {
			return "", err
		}
		out = append(out, b...)
	}
	if pool == "" && len(out) < spec.Length {
		return "", fmt.Errorf("every character class is disabled")
	}
	rest, err := draw(pool, spec.Length-len(out))
	if err != nil {
		return "", err
	}
	out = append(out, rest...)
	keys := make([]int64, len(out))
	for i := range keys {
		k, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			return "", err
		}
		keys[i] = k.Int64()
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	shuffled := make([]byte, len(out))
	for i, j := range idx {
		shuffled[i] = out[j]
	}
	return string(shuffled), nil
}

func draw(chars string, n int) ([]byte, error) {
	out := make([]byte, 0, max(n, 0))
	for i := 0; i < n; i++ {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			return nil, err
		}
		out = append(out, chars[k.Int64()])
	}
	return out, nil
}
