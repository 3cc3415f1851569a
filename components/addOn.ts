/**
 * What an add-on is: one folder under components/ with its config section, the resolution of that section, the
 * IAM roles it needs, and the resources it creates. `addOns.ts` lists them; config resolution (stacks/) and the
 * platform (platform.ts) both iterate that list, so an add-on is added in its folder and one line there.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { AddOnConfigs, ClusterConfig, CoreConfig, DnsConfig, PlatformConfig } from "../model/config";
import type { TierDefaults } from "../model/defaults";
import type { PolicyDocument } from "../model/iam";
import type { Problems } from "../model/problems";

/** What an add-on's resolution may read: the stack-wide settings and the sections resolved before it. */
export interface ResolveContext {
  readonly core: CoreConfig;
  readonly defaults: TierDefaults;
  /** Undefined when the cluster section is missing or broken (its problems are reported already). */
  readonly cluster?: ClusterConfig;
  readonly dns: DnsConfig;
  /** Add-ons listed earlier, resolved (absent when missing or broken). */
  readonly resolved: Partial<AddOnConfigs>;
  /**
   * Whether a section parsed and resolved without problems. Cross-section checks skip sections that are not
   * clean, so a root cause is reported once and not again through its consequences.
   */
  clean(section: string): boolean;
  /** Whether a section is present in the stack file and passed its schema. */
  parsed(section: string): boolean;
  /**
   * A section's input as its schema parsed it (undefined when absent or broken), for an add-on whose defaults
   * depend on a section resolved after it; the caller knows that section's input type.
   */
  input(section: string): unknown;
  readonly problems: Problems;
}

/** A role an add-on needs, before the identity settings give it a name and a binding. */
export interface RoleRequest {
  readonly key: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly description: string;
  readonly policy: PolicyDocument;
  /** The config key that a problem with this role (its name's length, say) is reported under. */
  readonly configKey: string;
}

/** The service account of one workload role, as the add-on's Helm values need it. */
export interface ServiceAccountBinding {
  readonly name: string;
  /** `eks.amazonaws.com/role-arn` for IRSA, nothing for Pod Identity. */
  readonly annotations: pulumi.Output<Record<string, string>>;
  /**
   * Pod-template annotations that change whenever the role behind the service account changes, so the
   * Deployment rolls and new pods get the new credentials (EKS injects them only when a pod is created).
   */
  readonly podAnnotations: pulumi.Output<Record<string, string>>;
  /** The role's ARN, known once its policy is attached. */
  readonly roleArn: pulumi.Output<string>;
}

/** What an add-on's resources may use. */
export interface DeployContext {
  readonly config: PlatformConfig;
  /** The cluster's Kubernetes provider: every Kubernetes resource uses it. */
  readonly provider: k8s.Provider;
  /** The platform namespace, created before any add-on. */
  readonly namespace: pulumi.Output<string>;
  /** The cluster's name, as the cluster access resolved it. */
  readonly clusterName: pulumi.Output<string>;
  /** The cluster's VPC, from the cluster look-up (or the cluster created here). */
  readonly vpcId: pulumi.Output<string>;
  /** The cluster's kubeconfig, for an add-on that needs a Kubernetes provider of its own. */
  readonly kubeconfig: pulumi.Output<string>;
  /** The service account binding of a workload role, by role key; undefined when the role is not created. */
  serviceAccount(roleKey: string): ServiceAccountBinding | undefined;
  /** The parent of every resource the add-on creates. */
  readonly parent: pulumi.Resource;
  /**
   * Hands resources to the add-ons listed after this one, under a name: what they create that needs it waits for
   * these (the AWS Load Balancer Controller's release, which the ingress releases wait for).
   */
  provide(name: string, resources: readonly pulumi.Resource[]): void;
  /**
   * What earlier add-ons provided under a name; empty when none did (a controller that runs already). Providing
   * a name after an add-on asked for it is a bug in the order of addOns.ts, and throws.
   */
  needs(name: string): pulumi.Resource[];
}

/** Stack outputs an add-on contributes, by output name (stacks/outputs.ts holds the contract). */
export type AddOnOutputs = Record<string, pulumi.Output<unknown>>;

export interface AddOn<K extends keyof AddOnConfigs, S extends z.ZodType> {
  /** The config key of the add-on's section, and of its resolved config. */
  readonly key: K;
  /** The section's schema; its descriptions are the configuration reference. */
  readonly schema: S;
  /** Whether a stack file must set the section. */
  readonly required: boolean;
  /**
   * The keys of every workload role the add-on may ask for (model/naming.ts `roleKeys`), whatever its config:
   * no team role may take one, and `roles` may return no other.
   */
  readonly roleKeys: readonly string[];
  /** The resolved section, or undefined when it is absent (and optional) or could not be resolved. */
  resolve(input: z.infer<S> | undefined, ctx: ResolveContext): AddOnConfigs[K] | undefined;
  /** The workload roles the add-on needs. */
  roles(config: NonNullable<AddOnConfigs[K]>, core: CoreConfig): RoleRequest[];
  /** Creates the add-on's resources; returns its stack outputs. */
  deploy(config: NonNullable<AddOnConfigs[K]>, ctx: DeployContext): AddOnOutputs;
}

/** Any add-on, as the list holds them. */
export type AnyAddOn = AddOn<keyof AddOnConfigs, z.ZodType>;
