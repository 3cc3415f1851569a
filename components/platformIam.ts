/**
 * Every IRSA role of the platform: the built-in ones (cert-manager, the external-dns instances, the ECR
 * operator) and the extra roles teams declare in stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../stacks/config";
import {
  certManagerPolicy,
  ecrOperatorPolicy,
  externalDnsPolicy,
  extraRolePolicy,
  type PolicyDocument,
} from "./iamPolicies";
import { IrsaRole } from "./irsaRole";

export interface RoleSpec {
  key: string;
  namespace: string;
  serviceAccount: string;
  description: string;
  policy: PolicyDocument;
}

/** The roles a configuration asks for, as data. Pure; the component below only turns them into resources. */
export function roleSpecs(cfg: PlatformConfig): RoleSpec[] {
  const cm = cfg.certManager;
  const specs: RoleSpec[] = [
    {
      key: "cert-manager",
      namespace: cm.namespace,
      serviceAccount: cm.serviceAccount,
      description: "cert-manager: Route53 DNS-01 challenges in the ACME zones",
      policy: certManagerPolicy(cm.dns01Zones, { allZonesPinned: true }),
    },
    ...cfg.externalDns.map((e) => ({
      key: `external-dns-${e.name}`,
      namespace: e.namespace,
      serviceAccount: e.serviceAccount,
      description: `external-dns ${e.name}: records in the ${e.zoneType} zones${e.assumeRole ? " (through the central DNS account)" : ""}`,
      policy: externalDnsPolicy(e),
    })),
    ...(cfg.ecr
      ? [
          {
            key: "ecr-operator",
            namespace: cfg.ecr.namespace,
            serviceAccount: cfg.ecr.serviceAccount,
            description: "ECR-credentials operator: registry token and pulls from its repositories",
            policy: ecrOperatorPolicy(cfg.ecr),
          },
        ]
      : []),
    ...cfg.iam.extraRoles.map((r) => ({
      key: r.key,
      namespace: r.namespace,
      serviceAccount: r.serviceAccount,
      description: r.description,
      policy: extraRolePolicy(r.statements),
    })),
  ];
  // cert-manager with HTTP-01 only needs no AWS rights at all: no role then.
  return specs.filter((s) => s.policy.Statement.length > 0);
}

export interface PlatformIamArgs {
  /** The resolved stack configuration. */
  config: PlatformConfig;
  /** ARN of the cluster's IAM OIDC provider. */
  oidcProviderArn: pulumi.Input<string>;
}

export class PlatformIam extends pulumi.ComponentResource {
  /** The roles by key. */
  readonly roles: Record<string, IrsaRole>;
  /** Role ARNs by key. */
  readonly roleArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PlatformIamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:iam:PlatformIam", name, {}, opts);
    const cfg = args.config;
    this.roles = {};
    for (const spec of roleSpecs(cfg)) {
      this.roles[spec.key] = new IrsaRole(
        spec.key,
        {
          environment: cfg.environment,
          key: spec.key,
          namespace: spec.namespace,
          serviceAccount: spec.serviceAccount,
          description: spec.description,
          oidcProviderArn: args.oidcProviderArn,
          policy: spec.policy,
          permissionsBoundaryArn: cfg.iam.permissionsBoundaryArn,
          tags: cfg.tags,
          protect: cfg.protect,
        },
        { parent: this },
      );
    }
    this.roleArns = pulumi.output(
      Object.fromEntries(Object.entries(this.roles).map(([k, r]) => [k, r.roleArn])),
    );
    this.registerOutputs({ roleArns: this.roleArns });
  }
}
