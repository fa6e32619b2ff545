import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PORTS } from "../catalog";
import type { DatabaseArgs } from "../args";
import { serviceHost, type DatabaseEndpoint } from "../endpoint";
import { credentialsRevision, databaseCredential } from "../password";
import { mysqlAccountsSql } from "./accounts";
import { loadBalancerAddress } from "../service";
import { dataVolumeOf } from "../volume";
import { createDatabaseResources } from "../resources";
import { credentialsGuard } from "../credentials-guard";
import {
  mysqlConfigMap,
  mysqlCredentialsSecret,
  mysqlDataClaim,
  mysqlDeployment,
  mysqlNames,
  mysqlService,
} from "./manifests";

/** One MySQL 8.4 server on replicated (or iSCSI) storage. */
export class MysqlDatabase extends pulumi.ComponentResource {
  readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:Mysql", name, {}, opts);
    const { database } = args;
    const names = mysqlNames(database, args.namespaceName);
    const revision = database.passwordRevision;
    const passwords = {
      root: databaseCredential("root-password", name, this, args.inheritedCredentials, revision),
      app: databaseCredential("password", name, this, args.inheritedCredentials, revision),
    };
    const settings = database.mysql;
    if (!settings) throw new Error(`database ${name} has no MySQL settings`);
    const accountsSql = pulumi.secret(
      pulumi
        .all([passwords.root, passwords.app])
        .apply(([root, app]) => mysqlAccountsSql(settings, { root, app })),
    );

    const digest = credentialsRevision([passwords.root, passwords.app]);
    const { deployment, service } = createDatabaseResources(
      name,
      {
        credentialsGuard: credentialsGuard(database, names.namespace, digest),
        credentials: mysqlCredentialsSecret(database, names, { ...passwords, accountsSql }),
        config: mysqlConfigMap(database, names),
        claim: mysqlDataClaim(database, names, dataVolumeOf(args.storage, database, args.claimLabels)),
        deployment: mysqlDeployment(database, names, {
          evictionTolerationSeconds: args.evictionTolerationSeconds,
          credentialsRevision: digest,
        }),
        service: mysqlService(database, names),
      },
      { ...args, parent: this },
    );

    this.endpoint = {
      engine: "mysql",
      namespace: names.namespace,
      host: serviceHost(names.service, names.namespace),
      ports: { ...MYSQL_PORTS },
      username: settings.user,
      database: settings.database,
      credentialsSecret: names.credentialsSecret,
      password: passwords.app,
      credentials: { password: passwords.app, "root-password": passwords.root },
      externalAddress: loadBalancerAddress(service),
    };
    this.registerOutputs({ service: service.metadata.name, deployment: deployment.metadata.name });
  }
}
