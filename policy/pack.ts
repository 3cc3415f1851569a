/**
 * The rules of rules.ts as CrossGuard policies. Only types come from @pulumi/policy here, so the tests can call
 * these policies with hand-made arguments; index.ts hands them to `new PolicyPack`, which starts the analyzer.
 */
import type {
  Policies,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { TIER_LABEL } from "./facts";
import {
  DEFAULT_PROD_STACKS,
  PROD_AWARE_RULES,
  resourceRules,
  stackFromUrn,
  stackRules,
  type ResourceData,
  type RuleContext,
} from "./rules";

// For the tests, which live outside policy/ and so cannot resolve @pulumi/policy themselves.
export type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

export const PACK_NAME = "eks-platform";

/** Configuration of the prod-aware policies (`pulumi preview --policy-pack-config <file>`). */
export interface ProdStacksConfig {
  /**
   * Stack names that count as production when no namespace of the stack carries the tier label (the fallback
   * of stackTier in rules.ts). Default: ["prod"].
   */
  prodStacks?: string[];
}

const prodStacksSchema: PolicyConfigSchema = {
  properties: {
    prodStacks: {
      type: "array",
      items: { type: "string" },
      default: [...DEFAULT_PROD_STACKS],
      description: `Stack names that count as production when no namespace carries the ${TIER_LABEL} label (stacks of programs from before the label).`,
    },
  },
};

function context(urn: string | undefined, config: ProdStacksConfig | undefined): RuleContext {
  const configured = config?.prodStacks;
  return {
    stack: urn === undefined ? "" : stackFromUrn(urn),
    prodStacks: Array.isArray(configured) ? configured : DEFAULT_PROD_STACKS,
  };
}

/** What the rules see of a resource the engine sends. */
export function toResourceData(r: {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  opts: { protect: boolean };
}): ResourceData {
  return { type: r.type, name: r.name, urn: r.urn, props: r.props, protect: r.opts.protect === true };
}

const configSchemaOf = (name: string) =>
  PROD_AWARE_RULES.includes(name) ? { configSchema: prodStacksSchema } : {};

const resourcePolicies = resourceRules.map((rule): ResourceValidationPolicy => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: rule.enforcementLevel,
  ...configSchemaOf(rule.name),
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (rule.types.includes(args.type)) {
      rule.check(
        toResourceData(args),
        (message) => report(message),
        context(args.urn, args.getConfig<ProdStacksConfig>()),
      );
    }
  },
}));

const stackPolicies = stackRules.map((rule): StackValidationPolicy => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: rule.enforcementLevel,
  ...configSchemaOf(rule.name),
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    rule.check(
      args.resources.map(toResourceData),
      (message, urn) => report(message, urn),
      context(args.resources[0]?.urn, args.getConfig<ProdStacksConfig>()),
    );
  },
}));

export const policies: Policies = [...resourcePolicies, ...stackPolicies];
