/**
 * A kubeconfig for an EKS cluster as data. It carries no credential: kubectl (and the Kubernetes provider)
 * run `aws eks get-token` for a short-lived token with whatever AWS identity runs Pulumi. Pure.
 */
export interface KubeconfigInput {
  clusterName: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
}

export function eksKubeconfig(input: KubeconfigInput): Record<string, unknown> {
  const name = input.clusterName;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", input.region, "--output", "json"],
            interactiveMode: "Never",
          },
        },
      },
    ],
  };
}
