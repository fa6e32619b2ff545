// The database namespace: the same object on a primary and on a DR standby (PX-DR migrates into it).
import type * as k8s from "@pulumi/kubernetes";
import { recommendedLabels } from "../shared/labels";

export function databaseNamespace(name: string): k8s.types.input.core.v1.Namespace {
  return {
    metadata: {
      name,
      labels: {
        ...recommendedLabels({ name: "hadb", instance: name, component: "databases" }),
        // No host access for database pods; warn about anything short of "restricted".
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  };
}
