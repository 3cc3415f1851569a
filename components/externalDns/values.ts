/**
 * Helm values of one external-dns instance (kubernetes-sigs chart, see versions.ts). Pure.
 *
 * The chart renders `--provider`, `--source`, `--policy`, `--registry`, `--txt-owner-id`, `--txt-prefix` and
 * `--domain-filter` from values; everything else goes in `extraArgs`, never a flag the chart already renders
 * (external-dns exits on a repeated single-value flag).
 */
import type { ExternalDnsInstanceConfig, ImagesConfig } from "../../model/config";
import type { Partition, RecordPolicy } from "../../model/enums";
import { partitionOf } from "../../model/partition";
import { mirroredRepository, pullSecretRefs } from "../sources/images";

/** A service account's name and annotations, and the annotations its pods carry, resolved. */
export interface ServiceAccountValues {
  name: string;
  annotations: Record<string, string>;
  podAnnotations: Record<string, string>;
}

export interface ExternalDnsValues {
  /** Set under an image mirror only; the tag stays the chart's default (`v<appVersion>`). */
  image?: { repository: string };
  imagePullSecrets?: { name: string }[];
  provider: { name: "aws" };
  sources: string[];
  policy: RecordPolicy;
  registry: "txt";
  txtOwnerId: string;
  txtPrefix: string;
  domainFilters: string[];
  extraArgs: string[];
  env: { name: string; value: string }[];
  serviceAccount: { create: true; name: string; annotations: Record<string, string> };
  podAnnotations?: Record<string, string>;
  resources: { requests: { cpu: string; memory: string } };
}

/**
 * Whether an instance must write CNAME records instead of Route53 ALIAS records. In AWS GovCloud (US) an alias
 * in a private hosted zone may only point at another record of the same zone ("you can create alias records only
 * when the alias target is another record in the same hosted zone": AWS GovCloud (US) User Guide, Amazon Route 53,
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-r53.html), and GovCloud has private zones
 * only. external-dns v0.21.0 writes an ALIAS for every target in a canonical hosted zone unless
 * `--aws-prefer-cname` is set (provider/aws/aws.go `useAlias`, `canonicalHostedZone`), and its table lists the
 * GovCloud load balancers (`elb.us-gov-west-1.amazonaws.com`, ...): without the flag every record of an NLB fails.
 * A CNAME cannot sit at a zone's apex, so in GovCloud no Ingress host may be a zone's own name.
 */
export function prefersCname(instance: ExternalDnsInstanceConfig, partition: Partition): boolean {
  return partition === "aws-us-gov" && instance.zoneType === "private";
}

/** Flags beyond the chart's own: zone type, zone IDs, ingress class, and the cross-account role. */
export function externalDnsArgs(instance: ExternalDnsInstanceConfig, partition: Partition = "aws"): string[] {
  return [
    `--aws-zone-type=${instance.zoneType}`,
    ...(prefersCname(instance, partition) ? ["--aws-prefer-cname"] : []),
    ...instance.zoneIds.map((id) => `--zone-id-filter=${id}`),
    `--ingress-class=${instance.ingressClass}`,
    ...(instance.assumeRole ? [`--aws-assume-role=${instance.assumeRole.roleArn}`] : []),
    ...(instance.assumeRole?.externalId
      ? [`--aws-assume-role-external-id=${instance.assumeRole.externalId}`]
      : []),
  ];
}

/**
 * The sources an instance watches. `--ingress-class` filters Ingresses only, and `--annotation-filter` and
 * `--label-filter` apply to every source alike (external-dns v0.21.0 docs/flags.md), so no flag keeps a
 * LoadBalancer Service with a hostname annotation away from one instance and not the other: with domain filters
 * that overlap (split horizon), both would publish it, an internal name in public DNS. So only the `private`
 * instance watches Services (its records go to private zones only: an internet-facing Service published there
 * too is harmless), and the `central` instance publishes the Ingresses of its public class and nothing else.
 */
export function externalDnsSources(instance: Pick<ExternalDnsInstanceConfig, "name">): string[] {
  return instance.name === "private" ? ["ingress", "service"] : ["ingress"];
}

/**
 * Values for one instance. The chart 1.21.1 has no replica key: it always runs one pod, which is what
 * external-dns needs (two replicas of one instance would race on the same records).
 */
export function externalDnsValues(
  instance: ExternalDnsInstanceConfig,
  serviceAccount: ServiceAccountValues,
  region: string,
  images?: ImagesConfig,
): ExternalDnsValues {
  const repository = mirroredRepository(images, "externalDns");
  const pullSecrets = pullSecretRefs(images);
  return {
    ...(repository ? { image: { repository } } : {}),
    ...(pullSecrets ? { imagePullSecrets: pullSecrets } : {}),
    provider: { name: "aws" },
    sources: externalDnsSources(instance),
    // Always explicit: the chart (upsert-only) and the app (sync) disagree, and app 0.22 makes it required.
    policy: instance.policy,
    registry: "txt",
    txtOwnerId: instance.ownerId,
    txtPrefix: instance.txtPrefix,
    domainFilters: [...instance.domainFilters],
    extraArgs: externalDnsArgs(instance, partitionOf(region)),
    env: [{ name: "AWS_DEFAULT_REGION", value: region }],
    serviceAccount: { create: true, name: serviceAccount.name, annotations: serviceAccount.annotations },
    ...(Object.keys(serviceAccount.podAnnotations).length > 0
      ? { podAnnotations: serviceAccount.podAnnotations }
      : {}),
    resources: { requests: { cpu: "50m", memory: "64Mi" } },
  };
}
