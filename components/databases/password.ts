// Every database password: generated once, kept in state, handled only as a secret. Letters, digits
// and "-_.~" only, so it survives URLs, shells and CPF/ini files unquoted.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const password = new random.RandomPassword(
    name,
    { length: 32, special: true, overrideSpecial: "-_.~", minLower: 2, minUpper: 2, minNumeric: 2 },
    { parent },
  );
  // The provider marks `result` secret too; the program does not rely on it (mocks do not apply it).
  return pulumi.secret(password.result);
}
