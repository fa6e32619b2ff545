import * as pulumi from "@pulumi/pulumi";
import type { DatabaseArgs } from "../args";
import { serviceHost, type DatabaseEndpoint } from "../endpoint";
import { credentialsRevision, databaseCredential } from "../password";
import { ENGINE_CATALOG } from "../catalog";
import { irisLicenceWarning } from "./accounts";
import { loadBalancerAddress } from "../service";
import { dataVolumeOf } from "../volume";
import { createDatabaseResources } from "../resources";
import { credentialsGuard } from "../credentials-guard";
import {
  IRIS_PORTS,
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

    const settings = database.iris;
    if (!settings) throw new Error(`database ${name} has no IRIS settings`);
    const warning = irisLicenceWarning(database.image, ENGINE_CATALOG.iris.defaultVersion);
    if (warning) void pulumi.log.warn(warning, this);

    // No default password ever: the application user's, and the predefined (admin) accounts'.
    const revision = database.passwordRevision;
    const passwords = {
      app: databaseCredential("password", name, this, args.inheritedCredentials, revision),
      admin: databaseCredential("admin-password", name, this, args.inheritedCredentials, revision),
    };

    const digest = credentialsRevision([passwords.app, passwords.admin]);
    const { deployment, service } = createDatabaseResources(
      name,
      {
        credentialsGuard: credentialsGuard(database, names.namespace, digest),
        credentials: irisCredentialsSecret(database, names, passwords),
        config: irisCpfConfigMap(database, names),
        claim: irisDataClaim(database, names, dataVolumeOf(args.storage, database, args.claimLabels)),
        deployment: irisDeployment(database, names, {
          evictionTolerationSeconds: args.evictionTolerationSeconds,
          credentialsRevision: digest,
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
      username: settings.user,
      // Clients name the namespace as their database (jdbc:IRIS://host:1972/<namespace>).
      database: settings.namespace,
      credentialsSecret: names.credentialsSecret,
      password: passwords.app,
      credentials: { password: passwords.app, "admin-password": passwords.admin },
      externalAddress: loadBalancerAddress(service),
    };
    this.registerOutputs({ service: service.metadata.name, deployment: deployment.metadata.name });
  }
}
