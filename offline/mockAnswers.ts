/**
 * What the mocks answer: the state the cloud (or a provider) would compute for each resource type, as readable
 * placeholders `<known after apply: …>`, and the results of the program's look-ups of existing infrastructure.
 * A look-up the mocks do not know throws, so a new data-source call cannot pass unnoticed.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CrdReader } from "../components/ingress/crds";
import { dnsSuffixOf, partitionOf } from "../model/partition";
import { SECRET_SIG, SIG_KEY } from "./secretMasks";

const computed = (type: string, name: string, attr: string) => `<known after apply: ${type} ${name} ${attr}>`;

/** Outputs the cloud (or a provider) computes, per resource type, as placeholders. Inputs echo back as state. */
export function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  const c = (attr: string) => computed(type, name, attr);
  // Names the cloud makes follow the region's partition, as AWS's would (model/partition.ts).
  const partition = partitionOf(region);
  const dnsSuffix = dnsSuffixOf(partition);
  switch (type) {
    case "aws:iam/role:Role":
    case "aws:iam/policy:Policy":
      return { arn: c("arn"), name: inputs.name ?? name };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      // IAM derives this ARN from the issuer URL; only the account is the cloud's to know.
      return {
        arn: `arn:${partition}:iam::(account-id):oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
      };
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: { [SIG_KEY]: SECRET_SIG, value: c("privateKeyPem") },
        publicKeyPem: c("publicKeyPem"),
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: c("certPem"), validityEndTime: c("validityEndTime") };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: c("certRequestPem") };
    case "kubernetes:helm.sh/v3:Release":
      return {
        status: {
          name: inputs.name ?? name,
          namespace: inputs.namespace,
          status: "deployed",
          version: inputs.version,
        },
      };
    case "kubernetes:core/v1:Service":
      return {
        status: { loadBalancer: { ingress: [{ hostname: c("status.loadBalancer.ingress[0].hostname") }] } },
      };
    case "eks:index:Cluster": {
      // @pulumi/eks creates the provider for the cluster's issuer: an ARN of that shape.
      const issuer = `oidc.eks.${region}.${dnsSuffix}/id/(cluster-oidc-id)`;
      return {
        kubeconfigJson: c("kubeconfigJson"),
        oidcProviderArn: `arn:${partition}:iam::(account-id):oidc-provider/${issuer}`,
        oidcIssuer: issuer,
        // The underlying aws.eks.Cluster: its VPC is the configured one, or the account's default VPC.
        eksCluster: {
          vpcConfig: { vpcId: inputs.vpcId ?? c("eksCluster.vpcConfig.vpcId") },
          // EKS names a cluster's ARN after the region, account and name; the version is the configured one.
          arn: `arn:${partition}:eks:${region}:(account-id):cluster/${typeof inputs.name === "string" ? inputs.name : name}`,
          version: inputs.version ?? c("eksCluster.version"),
        },
      };
    }
    default:
      return {};
  }
}

/** Look-ups of existing infrastructure. Anything else is a new data source the mocks must learn about. */
export function invokeResult(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
  missing: readonly string[],
): Record<string, unknown> {
  const partition = partitionOf(region);
  const dnsSuffix = dnsSuffixOf(partition);
  switch (token) {
    case "aws:eks/getCluster:getCluster": {
      const name = String(inputs.name);
      return {
        id: name,
        name,
        arn: `arn:${partition}:eks:${region}:(account-id):cluster/${name}`,
        endpoint: `https://(api-server-of-${name}).${region}.eks.${dnsSuffix}`,
        certificateAuthorities: [{ data: "(cluster-ca-data)" }],
        vpcConfig: { vpcId: `(vpc-of-${name})` },
        version: "(kubernetes-version)",
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.${dnsSuffix}/id/(cluster-oidc-id)` }] }],
      };
    }
    case "aws:eks/getAddonVersion:getAddonVersion":
      // EKS answers DescribeAddonVersions with a version per add-on and Kubernetes version.
      return {
        id: String(inputs.addonName),
        addonName: inputs.addonName,
        kubernetesVersion: inputs.kubernetesVersion,
        mostRecent: inputs.mostRecent ?? false,
        region,
        version: `(${String(inputs.mostRecent ? "latest" : "default")} ${String(inputs.addonName)} for ${String(inputs.kubernetesVersion)})`,
      };
    case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": {
      // Looked up by URL (with or without https://) or ARN; the provider answers a missing one with
      // NotFound ("couldn't find resource"): terraform-provider-aws openid_connect_provider_data_source.go.
      const url = (typeof inputs.url === "string" ? inputs.url : "").replace(/^https:\/\//, "");
      if (missing.includes(token)) {
        throw new Error(
          `reading IAM OIDC Provider (${String(inputs.url ?? inputs.arn)}): couldn't find resource`,
        );
      }
      return {
        arn: inputs.arn ?? `arn:${partition}:iam::(account-id):oidc-provider/${url}`,
        url,
        clientIdLists: ["sts.amazonaws.com"],
      };
    }
    default:
      throw new Error(
        `unexpected invoke ${token} (${JSON.stringify(inputs)}): teach offline/mockAnswers.ts what it returns`,
      );
  }
}

/**
 * The runtime turns a failed invoke into `new Error(err.details)`, the gRPC status text the engine would send
 * (@pulumi/pulumi runtime/invoke.js), so a mock's plain Error arrives with a blank message. Give it `details`.
 */
export function asRpcError(err: unknown): Error & { details: string } {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { details: message });
}

/**
 * The mocks alone, recording nothing: what devtools/cli-engine.ts gives the SDK when the program runs as the
 * Pulumi CLI starts it (the language host's `cmd/run` entry), and what runProgram answers with after recording.
 * `missing` names look-ups that answer NotFound.
 */
export function plainMocks(region: string, missing: readonly string[] = []): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      const inputs = args.inputs as Record<string, unknown>;
      return {
        id: args.id || `${args.name}-id`,
        state: { ...inputs, ...computedState(args.type, args.name, inputs, region) },
      };
    },
    call: (args) => {
      try {
        return invokeResult(args.token, args.inputs as Record<string, unknown>, region, missing);
      } catch (err) {
        throw asRpcError(err);
      }
    },
  };
}

/** The offline stand-in of a verified manifest: each pinned CRD, its spec naming the URL and the digest. */
export const offlineManifests: CrdReader = (url, pin) =>
  Promise.resolve(
    pin.names.map((name) => ({
      metadata: { name },
      spec: { "(read at deploy time)": `${url} (sha256 ${pin.sha256})` },
    })),
  );
