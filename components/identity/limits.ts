/**
 * IAM's limits on what the program sends it, checked on the resolved role list before anything is created, so
 * a stack that IAM would refuse at `pulumi up` is refused at config time instead, with the key to change. Pure.
 *
 * Sources: IAM API reference, CreateRole (`Description`: at most 1,000 characters of
 * `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`) and CreatePolicy (`PolicyDocument`: only U+0009, U+000A,
 * U+000D and U+0020 to U+00FF); IAM user guide, "IAM and AWS STS quotas"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: a managed policy holds at most
 * 6,144 characters, whitespace not counted; inline policies of a role 10,240 together; 50 tags per resource).
 * The program attaches each role's permissions as one customer managed policy (workloadRole.ts `iam.Policy`), so
 * 6,144 is its limit.
 */
import type { IdentityConfig, WorkloadRoleSpec } from "../../model/config";
import type { PolicyDocument } from "../../model/iam";
import { roleKeys } from "../../model/naming";
import type { Problems } from "../../model/problems";

/** A managed policy document, whitespace not counted. */
export const MANAGED_POLICY_MAX = 6144;
/** A role's description. */
export const ROLE_DESCRIPTION_MAX = 1000;

/** Code point ranges a text may hold, as IAM's patterns list them. */
type Ranges = readonly (readonly [number, number])[];
const ROLE_DESCRIPTION_CHARS: Ranges = [
  [0x09, 0x0a],
  [0x0d, 0x0d],
  [0x20, 0x7e],
  [0xa1, 0xff],
];
const POLICY_DOCUMENT_CHARS: Ranges = [
  [0x09, 0x0a],
  [0x0d, 0x0d],
  [0x20, 0xff],
];

/** The size IAM counts for a policy document: the characters of its JSON that are not whitespace. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, "").length;
}

/** The first character outside the ranges, as `"—" (U+2014)`, or undefined when every character is in them. */
export function firstRefusedCharacter(text: string, allowed: Ranges): string | undefined {
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (!allowed.some(([from, to]) => code >= from && code <= to)) {
      return `"${ch}" (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
    }
  }
  return undefined;
}

/** What IAM would refuse in a role description, or undefined. */
export function roleDescriptionProblem(description: string): string | undefined {
  const refused = firstRefusedCharacter(description, ROLE_DESCRIPTION_CHARS);
  if (refused) {
    return `a role description of Latin-1 characters only (IAM's CreateRole pattern): ${refused} is not one; write "-" for a dash and "->" for an arrow`;
  }
  if ([...description].length > ROLE_DESCRIPTION_MAX) {
    return `a role description of at most ${ROLE_DESCRIPTION_MAX} characters (IAM's CreateRole limit)`;
  }
  return undefined;
}

/**
 * The config key a role's policy grows with, for the report: the zones of an external-dns instance, the ECR
 * repositories, a team's statements.
 */
function policyKey(role: WorkloadRoleSpec, certManagerZonesKey: string): string {
  for (const instance of ["private", "central"]) {
    if (role.key === roleKeys.externalDns(instance)) {
      return `externalDns.${instance}.zoneIds`;
    }
  }
  if (role.key === roleKeys.ecrOperator) {
    return "ecr.repositoryArns";
  }
  if (role.key === roleKeys.certManager) {
    return certManagerZonesKey;
  }
  return role.configKey.startsWith("iam.extraRoles.") ? `${role.configKey}.statements` : role.configKey;
}

/**
 * Every role's description and policy document, against IAM's limits. `certManagerZonesKey` is where cert-manager's
 * zones come from: `certManager.dns01Zones` when the stack sets it, else `dns.publicZones` (certManager/resolve.ts).
 */
export function checkIamLimits(
  identity: IdentityConfig,
  problems: Problems,
  certManagerZonesKey = "dns.publicZones",
): void {
  for (const role of identity.roles) {
    const descriptionKey = role.configKey.startsWith("iam.extraRoles.")
      ? `${role.configKey}.description`
      : role.configKey;
    const description = roleDescriptionProblem(role.description);
    if (description) {
      problems.add(descriptionKey, description, role.description);
    }
    const key = policyKey(role, certManagerZonesKey);
    const refused = firstRefusedCharacter(JSON.stringify(role.policy), POLICY_DOCUMENT_CHARS);
    if (refused) {
      problems.add(
        key,
        `policy text of Latin-1 characters only (IAM accepts U+0009, U+000A, U+000D and U+0020 to U+00FF in a policy document): ${refused} is in the policy of role ${role.roleName}`,
      );
    }
    const size = policySize(role.policy);
    if (size > MANAGED_POLICY_MAX) {
      problems.add(
        key,
        `a policy IAM accepts: the managed policy of role ${role.roleName} would have ${size} characters without whitespace, and IAM allows ${MANAGED_POLICY_MAX} (IAM and AWS STS quotas); give this role fewer resources, for example by splitting its zones or repositories between stacks`,
      );
    }
  }
}
