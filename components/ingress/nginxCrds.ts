/**
 * The F5 NGINX Ingress Controller's CRDs, cluster-scoped and shared by every instance: one
 * CustomResourceDefinition resource per pinned CRD, read and verified by crds.ts, applied through a Kubernetes
 * provider of their own that adopts CRDs already in the cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { crdReader, type CrdManifestPin } from "./crds";

export interface NginxIngressCrdsArgs {
  /** The pinned manifest: digest and CRD names (versions.ts). */
  pin: CrdManifestPin;
  /** Where to fetch it: the pinned upstream URL or the stack's mirror. */
  url: string;
  /** The cluster's kubeconfig, for the CRDs' own provider. */
  kubeconfig: pulumi.Input<string>;
  /**
   * The URN of the `yaml/v2 ConfigFile` that held these CRDs before (its children are aliased, so a stack that
   * had it updates them in place instead of creating and deleting them).
   */
  previousConfigFileUrn: pulumi.Input<string>;
}

/** The old ConfigFile's name: its children were named `<this>:<crd name>` (yaml/v2 resourcePrefix default). */
export const PREVIOUS_CONFIG_FILE = "nginx-ingress-crds";

export class NginxIngressCrds extends pulumi.ComponentResource {
  /** The CRDs, by name; the releases wait for them. */
  readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];

  constructor(name: string, args: NginxIngressCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:ingress:NginxIngressCrds", name, {}, opts);
    // These objects may exist before this stack does: a redeploy after `pulumi destroy` (they are retained), a
    // second stack taking the cluster over, or a cluster where NGINX was installed with Helm (its chart's crds/,
    // the same files). Since pulumi-kubernetes 4.29.0 a create is a client-side create that fails with
    // AlreadyExists (provider/pkg/await/await.go Creation; CHANGELOG 4.29.0, #2926), and only
    // `upsertExistingObjects` makes it a server-side apply (the same function: ServerSideApply &&
    // UpsertExistingObjects). So these CRDs get a provider of their own with it, and nothing else does: every
    // other object of the program should fail loudly if something else already holds its name.
    // `enablePatchForce`: the apply takes over fields another manager (Helm's client-side create, a kubectl
    // apply) set before (await.go patchForce). That is right here: what this program applies is the pinned
    // upstream file byte for byte (crds.ts), the content those tools install for this version. Forcing also
    // overwrites a copy of another version (a newer controller installed by another tool would get this one's
    // schema back: docs/operations.md says to remove such an install first). `pulumi import` instead would need one command per CRD per
    // cluster, by hand, for objects whose content is not in question.
    // A stack that had the ConfigFile keeps its CRDs through the aliases below; moving them to this provider is
    // no replacement, because the engine asks the new provider's DiffConfig (pulumi/pulumi
    // pkg/resource/deploy/step_generator.go providerChanged), which replaces only for another cluster, and the
    // kubeconfig is the same (offline/transitions/model.ts, pulumi:providers:kubernetes).
    const provider = new k8s.Provider(
      `${name}-adopting`,
      {
        kubeconfig: args.kubeconfig,
        enableServerSideApply: true,
        upsertExistingObjects: true,
        enablePatchForce: true,
      },
      { parent: this },
    );
    const manifest = pulumi.output(crdReader()(args.url, args.pin));
    this.crds = args.pin.names.map((crd) => {
      const obj = manifest.apply((all) => all.find((o) => o.metadata.name === crd)!);
      return new k8s.apiextensions.v1.CustomResourceDefinition(
        crd,
        {
          metadata: obj.metadata,
          // Verified content of the pinned upstream file (crds.ts), handed to the provider as it is.
          spec: obj.spec as unknown as pulumi.Output<k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec>,
        },
        {
          parent: this,
          provider,
          // Deleting a CRD deletes every VirtualServer, Policy, ... of its kind in the cluster. Set on each CRD,
          // not inherited from a parent: inheritance depends on the CLI (Pulumi.yaml requiredPulumiVersion).
          retainOnDelete: true,
          aliases: [{ name: `${PREVIOUS_CONFIG_FILE}:${crd}`, parent: args.previousConfigFileUrn }],
        },
      );
    });
    this.registerOutputs({});
  }
}
