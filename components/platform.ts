/**
 * The whole edge of one environment: cluster access, the workload roles, the platform namespace, and then
 * every add-on of addOns.ts in its order. index.ts creates one of these and exports its outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../model/config";
import { roleArnOf } from "../model/iam";
import { roleKeys } from "../model/naming";
import type { AddOnOutputs, DeployContext } from "./addOn";
import { addOns } from "./addOns";
import { ClusterAccess } from "./cluster/clusterAccess";
import { centralDnsRoleDocuments } from "./dns/centralRoles";
import { PlatformIdentity, needsOidcProvider } from "./identity/platformIdentity";

/** The label that tells the policy pack (and people) which tier a platform namespace belongs to. */
export const TIER_LABEL = "eks-platform.io/tier";

export interface EdgePlatformArgs {
  /** The resolved, validated stack configuration. */
  config: PlatformConfig;
}

export class EdgePlatform extends pulumi.ComponentResource {
  /** The stack outputs: the platform's own and every add-on's (stacks/outputs.ts holds the contract). */
  readonly outputs: AddOnOutputs;

  constructor(name: string, args: EdgePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:index:EdgePlatform", name, {}, opts);
    const cfg = args.config;
    const cluster = new ClusterAccess(
      "cluster",
      {
        cluster: cfg.cluster,
        region: cfg.region,
        tags: cfg.tags,
        protect: cfg.protect,
        needsOidcProvider: needsOidcProvider(cfg.identity),
      },
      { parent: this },
    );
    const identity = new PlatformIdentity(
      "iam",
      {
        identity: cfg.identity,
        oidcProviderArn: cluster.oidcProviderArn,
        clusterName: cluster.clusterName,
        kubernetesVersion: cluster.kubernetesVersion,
        clusterResources: cluster.created,
        tags: cfg.tags,
        protect: cfg.protect,
      },
      { parent: this },
    );
    const namespace = new k8s.core.v1.Namespace(
      cfg.namespace,
      {
        metadata: {
          name: cfg.namespace,
          labels: { "app.kubernetes.io/part-of": cfg.project, [TIER_LABEL]: cfg.tier },
        },
      },
      // Deleting the namespace would delete cert-manager, the ACME account keys and the internal CA secret.
      { parent: this, provider: cluster.provider, protect: cfg.protect },
    );
    const provided = new Map<string, pulumi.Resource[]>();
    const asked = new Set<string>();
    const ctx: DeployContext = {
      config: cfg,
      provider: cluster.provider,
      namespace: namespace.metadata.name,
      clusterName: cluster.clusterName,
      vpcId: cluster.vpcId,
      serviceAccount: (key) => identity.serviceAccount(key),
      parent: this,
      provide: (name, resources) => {
        if (asked.has(name)) {
          throw new Error(
            `"${name}" was provided after an add-on needed it: list its provider earlier in addOns.ts`,
          );
        }
        provided.set(name, [...(provided.get(name) ?? []), ...resources]);
      },
      needs: (name) => {
        asked.add(name);
        return [...(provided.get(name) ?? [])];
      },
    };
    const roles = cfg.identity.roles;
    const perAddOn = addOns.map((addOn) => {
      const section = cfg[addOn.key];
      return section === undefined ? {} : addOn.deploy(section, ctx);
    });
    const role = <T>(pick: (r: (typeof roles)[number]) => pulumi.Input<T>) =>
      pulumi.output(Object.fromEntries(roles.map((r) => [r.key, pick(r)]))) as pulumi.Output<
        Record<string, T>
      >;
    const own: AddOnOutputs = {
      environment: pulumi.output(cfg.environment),
      tier: pulumi.output(cfg.tier),
      clusterName: cluster.clusterName,
      platformNamespace: namespace.metadata.name,
      workloadRoleArns: role((r) => identity.roles[r.key].roleArn),
      irsaRoleArns: role((r) => identity.roles[r.key].roleArn),
      serviceAccountAnnotations: role((r) => identity.roles[r.key].serviceAccountAnnotations),
      workloadRoleBindings: role((r) => r.binding),
      centralDnsRoles: centralDnsRolesOutput(cfg, cluster.accountId),
    };
    this.outputs = perAddOn.reduce<AddOnOutputs>((all, outputs) => ({ ...all, ...outputs }), own);
    this.registerOutputs(this.outputs);
  }
}

/**
 * The roles the central DNS account's owners create, by role ARN there: each with its trust and permissions
 * policy as JSON, ready for `aws iam create-role` and `put-role-policy`. Empty without a central DNS account.
 * The trusted principals are this stack's roles by the ARN IAM gives them (the cluster's account, the role name),
 * so the documents are known at preview, before the roles exist (docs/operations.md: the order on a rename).
 */
function centralDnsRolesOutput(
  cfg: PlatformConfig,
  accountId: pulumi.Output<string>,
): pulumi.Output<unknown> {
  const central = cfg.dns.centralDnsAccount;
  if (!central) {
    return pulumi.output<Record<string, Record<string, string>>>({});
  }
  const instance = cfg.externalDns.find((e) => e.name === "central");
  const roleName = (key: string) => cfg.identity.roles.find((r) => r.key === key)?.roleName;
  const externalDnsRole = roleName(roleKeys.externalDns("central"));
  const zones = cfg.certManager.dns01Zones.filter((z) => z.roleArn !== undefined);
  const certManagerRole = roleName(roleKeys.certManager);
  return accountId.apply((account): Record<string, Record<string, string>> => {
    const arn = (name: string) => roleArnOf(cfg.partition, account, name);
    const documents = centralDnsRoleDocuments({
      central,
      partition: cfg.partition,
      externalDns:
        instance && externalDnsRole ? { sourceRoleArn: arn(externalDnsRole), instance } : undefined,
      certManager: certManagerRole ? { sourceRoleArn: arn(certManagerRole), zones } : undefined,
    });
    return Object.fromEntries(
      Object.entries(documents).map(([roleArn, d]) => [
        roleArn,
        {
          trustPolicy: JSON.stringify(d.trustPolicy),
          permissionsPolicy: JSON.stringify(d.permissionsPolicy),
        },
      ]),
    );
  });
}
