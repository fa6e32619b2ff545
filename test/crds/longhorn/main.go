// longhorn-rules: Longhorn's own admission rules, compiled from longhorn-manager at the version in
// go.mod, for hadb's tests (tests/longhorn-upstream.test.ts). Two commands:
//
//	longhorn-rules settings   every setting definition (name, type, default, range, choices) as JSON
//	longhorn-rules check      reads {"defaultSettingYaml": "...", "recurringJobs": [spec...]} on stdin
//	                          and prints what Longhorn would refuse, as JSON
//
// "check" runs the same functions the manager and its admission webhook run: the default-setting
// ConfigMap is parsed by types.GetCustomizedDefaultSettings (which silently skips a value it finds
// invalid: the setting keeps its default, so hadb must never write one) and every value by
// types.ValidateSetting; a RecurringJob is judged like webhook/resources/recurringjob/validator.go
// does on create: its name, retain against recurring-job-max-retention (the customized value when the
// ConfigMap sets a valid one, else the definition's default), then datastore.ValidateRecurringJob.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/longhorn/longhorn-manager/datastore"
	longhorn "github.com/longhorn/longhorn-manager/k8s/pkg/apis/longhorn/v1beta2"
	"github.com/longhorn/longhorn-manager/types"
	"github.com/longhorn/longhorn-manager/util"
)

type settingOut struct {
	Name               string             `json:"name"`
	Type               string             `json:"type"`
	Default            string             `json:"default"`
	Required           bool               `json:"required"`
	ReadOnly           bool               `json:"readOnly"`
	DataEngineSpecific bool               `json:"dataEngineSpecific"`
	Choices            []any              `json:"choices,omitempty"`
	IntRange           map[string]int     `json:"intRange,omitempty"`
	FloatRange         map[string]float64 `json:"floatRange,omitempty"`
}

type checkIn struct {
	DefaultSettingYaml string                      `json:"defaultSettingYaml"`
	RecurringJobs      []longhorn.RecurringJobSpec `json:"recurringJobs"`
}

type problem struct {
	Subject string `json:"subject"`
	Error   string `json:"error"`
}

type checkOut struct {
	// Settings Longhorn accepted from the ConfigMap, after its own normalisation.
	Applied map[string]string `json:"applied"`
	// Settings in the ConfigMap that Longhorn skips (unknown name or invalid value).
	Skipped []problem `json:"skipped"`
	// RecurringJobs the admission webhook refuses.
	Refused []problem `json:"refused"`
	// recurring-job-max-retention in effect for the jobs.
	MaxRetention int `json:"maxRetention"`
}

func settings() []settingOut {
	out := make([]settingOut, 0, len(types.SettingNameList))
	for _, name := range types.SettingNameList {
		definition, ok := types.GetSettingDefinition(name)
		if !ok {
			continue
		}
		out = append(out, settingOut{
			Name: string(name), Type: string(definition.Type), Default: definition.Default,
			Required: definition.Required, ReadOnly: definition.ReadOnly,
			DataEngineSpecific: definition.DataEngineSpecific, Choices: definition.Choices,
			IntRange: definition.ValueIntRange, FloatRange: definition.ValueFloatRange,
		})
	}
	return out
}

func check(in checkIn) (checkOut, error) {
	out := checkOut{Applied: map[string]string{}, Skipped: []problem{}, Refused: []problem{}}
	cm := &corev1.ConfigMap{Data: map[string]string{types.DefaultSettingYAMLFileName: in.DefaultSettingYaml}}
	// Keys before GetCustomizedDefaultSettings normalises the values in place.
	parsed, err := util.GetDataContentFromYAML([]byte(in.DefaultSettingYaml))
	if err != nil {
		return out, fmt.Errorf("default-setting.yaml does not parse: %w", err)
	}
	customized, err := types.GetCustomizedDefaultSettings(cm)
	if err != nil {
		return out, err
	}
	names := make([]string, 0, len(parsed))
	for name := range parsed {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		value := customized[name]
		if _, ok := types.GetSettingDefinition(types.SettingName(name)); !ok {
			out.Skipped = append(out.Skipped, problem{name, "not a Longhorn setting"})
		} else if err := types.ValidateSetting(name, value); err != nil {
			out.Skipped = append(out.Skipped, problem{name, err.Error()})
		} else {
			out.Applied[name] = value
		}
	}

	maxRetentionName := types.SettingNameRecurringJobMaxRetention
	maxRetention := 0
	definition, _ := types.GetSettingDefinition(maxRetentionName)
	value := definition.Default
	if applied, ok := out.Applied[string(maxRetentionName)]; ok {
		value = applied
	}
	if _, err := fmt.Sscan(value, &maxRetention); err != nil {
		return out, fmt.Errorf("%v: %q is not an integer", maxRetentionName, value)
	}
	out.MaxRetention = maxRetention

	for _, job := range in.RecurringJobs {
		if !util.ValidateName(job.Name) {
			out.Refused = append(out.Refused, problem{job.Name, fmt.Sprintf("invalid name %v", job.Name)})
		} else if job.Retain > maxRetention {
			out.Refused = append(out.Refused, problem{job.Name, fmt.Sprintf("retain value should be less than or equal to %v", maxRetention)})
		} else if err := datastore.ValidateRecurringJob(job); err != nil {
			out.Refused = append(out.Refused, problem{job.Name, err.Error()})
		}
	}
	return out, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: longhorn-rules settings|check")
		os.Exit(2)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	var result any
	switch os.Args[1] {
	case "settings":
		result = settings()
	case "check":
		var in checkIn
		if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
			fmt.Fprintln(os.Stderr, "longhorn-rules check: stdin is not the expected JSON:", err)
			os.Exit(2)
		}
		out, err := check(in)
		if err != nil {
			fmt.Fprintln(os.Stderr, "longhorn-rules check:", err)
			os.Exit(1)
		}
		result = out
	default:
		fmt.Fprintln(os.Stderr, "usage: longhorn-rules settings|check")
		os.Exit(2)
	}
	if err := encoder.Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
