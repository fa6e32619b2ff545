import * as pulumi from "@pulumi/pulumi";
import type { DatabaseArgs } from "../args";
import { serviceHost, type DatabaseEndpoint } from "../endpoint";
import { databaseCredential } from "../password";
import { dataVolumeOf } from "../volume";
import { createDatabaseResources } from "../resources";
import {
  IRIS_PORTS,
  IRIS_USERNAME,
  irisCpfConfigMap,
  irisCredentialsSecret,
  irisDataClaim,
  irisDeployment,
  irisNames,
  irisService,
} from "./manifests";

/** One InterSystems IRIS instance with durable %SYS on replicated storage. */
export class IrisDatabase extends pulumi.ComponentResource {
  readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:Iris", name, {}, opts);
    const { database } = args;
    const names = irisNames(database, args.namespaceName);

    // No default password ever.
    const password = databaseCredential("password", name, this, args.inheritedCredentials);

    const { deployment, service } = createDatabaseResources(
      name,
      {
        credentials: irisCredentialsSecret(database, names, password),
        config: irisCpfConfigMap(database, names),
        claim: irisDataClaim(database, names, dataVolumeOf(args.storage, database, args.claimLabels)),
        deployment: irisDeployment(database, names, {
          evictionTolerationSeconds: args.evictionTolerationSeconds,
        }),
        service: irisService(database, names),
      },
      { ...args, parent: this },
    );

    this.endpoint = {
      engine: "iris",
      namespace: names.namespace,
      host: serviceHost(names.service, names.namespace),
      ports: { ...IRIS_PORTS },
      username: IRIS_USERNAME,
      credentialsSecret: names.credentialsSecret,
      password,
      credentials: { password },
    };
    this.registerOutputs({ service: service.metadata.name, deployment: deployment.metadata.name });
  }
}
