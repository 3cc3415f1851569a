/**
 * The `ingress` section of a stack file: the F5 NGINX Ingress Controller instances.
 */
import { z } from "zod";
import { LOAD_BALANCER_MODES, SCHEMES } from "../../model/enums";
import { k8sName } from "../../model/formats";

const ingressInstance = z.strictObject({
  className: k8sName.describe("IngressClass name this controller creates and serves. Required."),
  scheme: z
    .enum(SCHEMES)
    .describe("NLB scheme. Set explicitly because the AWS default is `internal`. Required."),
  default: z
    .boolean()
    .optional()
    .describe("Make this the cluster's default IngressClass. At most one instance. Default: false."),
  sourceRanges: z
    .array(z.cidrv4("an IPv4 CIDR such as 203.0.113.0/24"))
    .optional()
    .describe("CIDRs allowed to reach the load balancer. Default: anywhere (internal: the VPC)."),
  replicas: z
    .int()
    .min(1)
    .max(20)
    .optional()
    .describe("Controller replicas. Default: dev 1, prod 2 (prod requires at least 2)."),
  enableCustomResources: z
    .boolean()
    .optional()
    .describe(
      "Watch the controller's own resources (VirtualServer, Policy, ...). Their CRDs are installed for every stack from the pinned version, so this can be turned on in a running stack. Default: false (plain Ingress only).",
    ),
  renamedFrom: k8sName
    .optional()
    .describe(
      "The key this instance had before a rename. Its release is then replaced in place of the old one (the old release is deleted first, so the IngressClass is free; the NLB is recreated). Remove it after the rename is deployed. Default: none.",
    ),
});

export const ingressSchema = z
  .strictObject({
    loadBalancer: z
      .enum(LOAD_BALANCER_MODES)
      .optional()
      .describe(
        "Which Service annotations provision the NLB: the AWS Load Balancer Controller's (`external`, IP targets) or the legacy in-tree cloud provider's (`nlb`). Default: aws-load-balancer-controller.",
      ),
    crdsUrl: z
      .url({
        protocol: /^https?$/,
        error: "an http(s) URL such as https://mirror.example.com/nginx/crds.yaml",
      })
      .optional()
      .describe(
        "Where to fetch the F5 NGINX Ingress Controller's CRD manifest (deploy/crds.yaml of the pinned version), for a mirror. The program fetches it at every preview and up and applies it only if its SHA-256 is the pinned one. Default: the release tag's file on raw.githubusercontent.com.",
      ),
    instances: z
      .record(k8sName, ingressInstance)
      .optional()
      .describe(
        "Controller instances by key; each is its own Helm release `ingress-<key>`. Default: `public` (nginx-public, internet-facing, default class) and `internal` (nginx-internal, internal).",
      ),
  })
  .describe("The F5 NGINX Ingress Controller instances. Default: see `instances`.");

export type IngressInput = z.infer<typeof ingressSchema>;
export type IngressInstanceInput = z.infer<typeof ingressInstance>;
