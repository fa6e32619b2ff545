// The credentials guard: one ConfigMap per database recording a one-way digest of the passwords its
// data was deployed with. It exists so that deploying a stack again over data kept by `pulumi destroy`
// (hadb:keepDataOnDestroy) can never silently write new passwords over the kept ones.
//
// Why it works: the destroyed state took its generated passwords with it, so a new `pulumi up`
// generates new ones. The guard is applied without `pulumi.com/patchForce` and kept on destroy, so the
// new deployment's field manager meets the earlier one's value and server-side apply stops the `up` at
// a field conflict on the guard, before the credentials Secret (which waits for it) is written. With the
// same passwords (a DR standby inheriting the primary's, or a restored state) the digest is equal, the
// two managers share the field, and nothing stops. Within one state, a rotation updates the digest as
// its own field manager. docs/teardown.md says what to do after a refusal.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "../config/types";
import { recommendedLabels } from "../shared/labels";

/** The `app.kubernetes.io/component` label of every guard (destroy keeps them: data-retention.ts). */
export const CREDENTIALS_GUARD_COMPONENT = "credentials-guard";

/** The guard's data key holding the digest (`credentialsRevision` of the database's passwords). */
export const CREDENTIALS_GUARD_KEY = "credentials-revision";

export const credentialsGuardName = (database: string): string => `${database}-credentials-guard`;

/** Where a refused `up` is explained. */
export const CREDENTIALS_GUARD_DOC = "docs/teardown.md#deploying-again-over-kept-data";

export function credentialsGuard(
  database: DatabaseSpec,
  namespace: string,
  revision: pulumi.Input<string>,
): k8s.types.input.core.v1.ConfigMap {
  return {
    metadata: {
      name: credentialsGuardName(database.name),
      namespace,
      // No version label: a version bump must not touch the guard.
      labels: recommendedLabels({
        name: database.engine,
        instance: database.name,
        component: CREDENTIALS_GUARD_COMPONENT,
      }),
      annotations: {
        "hadb.io/purpose":
          "One-way digest of the passwords this database's data was deployed with. A pulumi up that " +
          `would write other passwords over kept data stops at a conflict here: see hadb's ${CREDENTIALS_GUARD_DOC}`,
      },
    },
    data: { [CREDENTIALS_GUARD_KEY]: revision },
  };
}
