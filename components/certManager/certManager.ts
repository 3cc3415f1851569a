/**
 * cert-manager as a Helm release (helm.v3.Release keeps Helm's semantics: its hooks run and the CRDs it
 * installs stay when the release goes, thanks to `crds.keep`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CertManagerConfig, ImagesConfig } from "../../model/config";
import type { ServiceAccountBinding } from "../addOn";
import type { ReleaseSource } from "../versions";
import { certManagerValues } from "./values";

export interface CertManagerArgs {
  /** cert-manager settings, from stack config. */
  config: CertManagerConfig;
  /** The service account of cert-manager's workload role; undefined when no solver needs AWS. */
  serviceAccount?: ServiceAccountBinding;
  /** Where the chart comes from (its upstream repository or a mirror), at the pinned version. */
  source: ReleaseSource;
  /** Where the images come from. */
  images: ImagesConfig;
  /** Namespace of the release. */
  namespace: pulumi.Input<string>;
  /** The cluster's Kubernetes provider. */
  provider: k8s.Provider;
}

export class CertManager extends pulumi.ComponentResource {
  /** The Helm release; ClusterIssuers depend on it (it installs their CRD). */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-platform:tls:CertManager", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      "cert-manager",
      {
        name: "cert-manager",
        ...args.source,
        namespace: args.namespace,
        values: pulumi
          .all([args.serviceAccount?.annotations ?? {}, args.serviceAccount?.podAnnotations ?? {}])
          .apply(([annotations, podAnnotations]) =>
            certManagerValues(
              args.config,
              { name: args.config.serviceAccount, annotations, podAnnotations },
              args.images,
            ),
          ),
        atomic: true,
        timeout: 600,
        // The CRDs are kept when the release goes (crds.keep), still annotated for the release that made them.
        // A release in another place (a new platform namespace, a second stack taking the cluster over, a
        // redeploy after `pulumi destroy` into another namespace) would meet them and Helm would refuse them
        // ("invalid ownership metadata", helm v3.20.2 pkg/action/validate.go existingResourceConflict), which
        // used to need a hand-run `kubectl annotate`. Taking ownership (Helm's --take-ownership, the same
        // install.go: requireAdoption instead of that check; @pulumi/kubernetes 4.34.2 Release `takeOwnership`)
        // adopts them and re-annotates them for this release. The objects it could meet are the chart's own
        // (CRDs, ClusterRoles, webhook configurations named cert-manager-*): with deleteBeforeReplace below the
        // old release is gone by then, so what is left is kept CRDs. A second, foreign cert-manager in the
        // cluster is the one case this would wrongly adopt; docs/operations.md says to remove it first.
        takeOwnership: true,
      },
      // The chart renders cluster-scoped objects named after the release (ClusterRoles, webhook configurations):
      // a replacement (a new namespace) must delete the old release first or the new one meets them.
      { parent: this, provider: args.provider, deleteBeforeReplace: true },
    );
    this.registerOutputs({ releaseName: this.release.name });
  }
}
