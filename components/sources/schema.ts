/**
 * The `charts` and `images` sections of a stack file: where the pinned charts and their images come from, for
 * environments that reach the public registries only through a mirror (or not at all).
 */
import { z } from "zod";
import { k8sName } from "../../model/formats";

const mirrorUrl = z
  .string()
  .regex(
    /^(?:oci|https|http):\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?(?:\/[A-Za-z0-9._~-]+)*\/?$/,
    "an oci:// registry path such as oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts, or an https:// Helm repository URL",
  );

const chartMirror = z.strictObject({
  url: mirrorUrl.describe(
    "`oci://<host>/<path>`: the chart is pulled as `<url>/<chart name>` (an ECR repository `<path>/<chart name>`). `https://...`: a classic Helm repository (Artifactory, Nexus) that serves the chart by name. The chart's name and version stay the pinned ones. Required.",
  ),
  username: z
    .string()
    .min(1)
    .optional()
    .describe("User for the mirror's basic auth or registry login. Default: none."),
  password: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Password or token for `username`; set it as a secret (`pulumi config set --secret --path charts.<key>.password ...`). Default: none: Helm then uses the deploy machine's own registry login (`helm registry login`, for ECR `aws ecr get-login-password`).",
    ),
  caFile: z
    .string()
    .min(1)
    .optional()
    .describe("CA bundle on the deploy machine for a mirror with a private CA. Default: the system's CAs."),
});

const perChart = (name: string) =>
  chartMirror.optional().describe(`The mirror of the ${name} chart, over \`mirror\`. Default: \`mirror\`.`);

export const chartsSchema = z
  .strictObject({
    mirror: chartMirror
      .optional()
      .describe(
        "The mirror every chart comes from (name and version as pinned). Default: the upstream repositories.",
      ),
    nginxIngress: perChart("nginx-ingress"),
    externalDns: perChart("external-dns"),
    certManager: perChart("cert-manager"),
    awsLoadBalancerController: perChart("aws-load-balancer-controller"),
    nginxIngressLocalSchema: z
      .boolean()
      .optional()
      .describe(
        "The nginx-ingress chart the mirror serves is repackaged so that its values schema `$ref`s nothing remote (docs/deploy.md, Private environments). The upstream chart's schema refers to Kubernetes JSON definitions on raw.githubusercontent.com, which Helm downloads at every preview and deploy. Default: false.",
      ),
  })
  .describe(
    "Where the pinned charts come from. Default: their upstream repositories (components/versions.ts).",
  );

const registryPrefix = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?(?:\/[a-z0-9._-]+)*$/,
    "a registry host with an optional path and no scheme, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/quay",
  );

export const imagesSchema = z
  .strictObject({
    registry: registryPrefix
      .optional()
      .describe(
        "Registry that serves every chart image under its upstream path: `quay.io/jetstack/cert-manager-controller` is pulled as `<registry>/jetstack/cert-manager-controller`. Default: the upstream registries.",
      ),
    registries: z
      .record(z.string(), registryPrefix)
      .optional()
      .describe(
        "Per upstream registry (`docker.io`, `quay.io`, `registry.k8s.io`, `public.ecr.aws`), the registry that serves its images, over `registry`: an ECR pull-through cache has one prefix per upstream (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/quay`). Default: `registry`.",
      ),
    pullSecrets: z
      .array(k8sName)
      .optional()
      .describe(
        "Image pull secrets (type kubernetes.io/dockerconfigjson, made outside this program in each release's namespace) for a registry that needs credentials the nodes do not have (an ECR registry the nodes' IAM role may read needs none). Default: none.",
      ),
  })
  .describe("Where the charts' container images come from. Default: their upstream registries.");

export type ChartsInput = z.infer<typeof chartsSchema>;
export type ImagesInput = z.infer<typeof imagesSchema>;
