import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "../shared/labels";

/**
 * The namespace of a storage engine whose node agents need host access (block devices, mounts):
 * Pod Security `privileged` there and nowhere else but node prep.
 */
export function storageNamespace(
  resourceName: string,
  args: { namespace: string; app: string; instance: string },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    resourceName,
    {
      metadata: {
        name: args.namespace,
        labels: {
          ...recommendedLabels({ name: args.app, instance: args.instance, component: "storage" }),
          "pod-security.kubernetes.io/enforce": "privileged",
        },
      },
    },
    opts,
  );
}
