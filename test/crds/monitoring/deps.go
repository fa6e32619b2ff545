// Package deps keeps prometheus-operator's monitoring.coreos.com/v1 API package in this module's graph:
// controller-gen (test/crds/build.sh) generates the ServiceMonitor, PodMonitor and PrometheusRule CRDs
// (and the rest of the group) from it.
package deps

import _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
