// A Kubernetes object as plain data. hadb's pure builders return custom resources as `CustomObject`,
// which tests read directly and `new k8s.apiextensions.CustomResource(name, object)` takes as it is,
// without a cast; the synth tool reads objects back with resolved text (`KubernetesObject<string>`).
import type * as pulumi from "@pulumi/pulumi";

export interface KubernetesObject<Text = pulumi.Input<string>> {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, Text>;
  };
  [field: string]: unknown;
}

/** A custom resource as a builder returns it (annotation values may be outputs). */
export type CustomObject = KubernetesObject;
