/**
 * Classifies IAM actions and resources for the least-privilege checks (config validation and the policy pack).
 * Pure functions.
 */

/**
 * Action-name prefixes that only read. IAM's own access levels are per action; the verb prefix is a
 * conservative approximation: anything not recognised as a read counts as a write, so it is held to the
 * stricter rules.
 */
const READ_VERBS = [
  "Get",
  "List",
  "Describe",
  "BatchGet",
  "BatchCheck",
  "Lookup",
  "Search",
  "View",
  "Query",
  "Scan",
  "Head",
];

export function isReadOnlyAction(action: string): boolean {
  const name = action.split(":")[1];
  if (!name || name === "*") {
    return false;
  }
  return READ_VERBS.some((verb) => {
    if (!name.startsWith(verb)) {
      return false;
    }
    const next = name.charAt(verb.length);
    return next === "" || next === "*" || (next >= "A" && next <= "Z");
  });
}

/** `*` alone, or a whole service (`s3:*`). */
export function isServiceWildcardAction(action: string): boolean {
  return action === "*" || action.endsWith(":*");
}

/**
 * A resource that names no particular thing: `*`, an ARN with a wildcard account or region, an ARN whose
 * resource part is `*`, or any wildcard Route53 hosted zone.
 */
export function isWildcardResource(resource: string): boolean {
  if (resource === "*") {
    return true;
  }
  const parts = resource.split(":");
  if (parts.length < 6) {
    return resource.includes("*");
  }
  const [, , service, region, account] = parts;
  const rest = parts.slice(5).join(":");
  if (region.includes("*") || account.includes("*") || rest === "*") {
    return true;
  }
  return service === "route53" && rest.startsWith("hostedzone/") && rest.includes("*");
}
