// Every database password: generated once, kept in state, handled only as a secret. Letters, digits
// and "-_.~" only, so it survives URLs, shells and CPF/ini files unquoted.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * A database credential by role ("password", "root-password"): generated, or, on a DR standby, the
 * primary's (the restored data was written with it).
 */
export function databaseCredential(
  role: string,
  component: string,
  parent: pulumi.Resource,
  inherited: pulumi.Output<Record<string, string>> | undefined,
): pulumi.Output<string> {
  if (inherited)
    return pulumi.secret(
      inherited.apply((credentials) => {
        const value = credentials[role];
        if (value === undefined) throw new Error(`the DR primary has no ${role} for database ${component}`);
        return value;
      }),
    );
  return generatedPassword(`${component}-${role}`, parent);
}

function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const password = new random.RandomPassword(
    name,
    { length: 32, special: true, overrideSpecial: "-_.~", minLower: 2, minUpper: 2, minNumeric: 2 },
    { parent },
  );
  // The provider marks `result` secret too; the program does not rely on it (mocks do not apply it).
  return pulumi.secret(password.result);
}
