/**
 * EKS: the cluster's OIDC issuer (when the stack does not pin the provider), the Pod Identity associations of the
 * roles bound that way, and the `eks-pod-identity-agent` add-on.
 */
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  ResourceNotFoundException,
  type EKSClient,
} from "@aws-sdk/client-eks";
import type { AwsObserved, ExpectedPlatform, ExpectedRole } from "../model";
import { errorMessage, errorName, read, type ReadErrors } from "./reads";

export const POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent";

export function readIssuer(
  eks: EKSClient,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<string | undefined> {
  return read(errors, `eks cluster ${exp.clusterName}`, undefined as string | undefined, async () => {
    const out = await eks.send(new DescribeClusterCommand({ name: exp.clusterName }));
    return out.cluster?.identity?.oidc?.issuer;
  });
}

/**
 * The associations of one service account, every page: the EKS API reference (ListPodIdentityAssociations) filters
 * by `namespace` and `serviceAccount`, returns at most `maxResults` (1 to 100, default 100) per page, and a
 * `nextToken` while more remain.
 */
async function associationsOf(eks: EKSClient, cluster: string, r: ExpectedRole) {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: cluster,
        namespace: r.namespace,
        serviceAccount: r.serviceAccount,
        maxResults: 100,
        nextToken,
      }),
    );
    ids.push(
      ...(page.associations ?? [])
        .filter((a) => a.namespace === r.namespace && a.serviceAccount === r.serviceAccount)
        .flatMap((a) => (a.associationId ? [a.associationId] : [])),
    );
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return Promise.all(
    ids.map(async (associationId) => {
      const d = await eks.send(
        new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId }),
      );
      return {
        namespace: r.namespace,
        serviceAccount: r.serviceAccount,
        roleArn: d.association?.roleArn ?? "",
        ...(d.association?.targetRoleArn ? { targetRoleArn: d.association.targetRoleArn } : {}),
      };
    }),
  );
}

export async function readAssociations(
  eks: EKSClient,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<AwsObserved["podIdentityAssociations"]> {
  const lists = await Promise.all(
    exp.roles
      .filter((r) => r.binding === "pod-identity")
      .map((r) =>
        read(
          errors,
          `eks pod identity associations of ${r.namespace}/${r.serviceAccount}`,
          [] as AwsObserved["podIdentityAssociations"],
          () => associationsOf(eks, exp.clusterName, r),
        ),
      ),
  );
  return lists.flat();
}

/** The agent add-on; null when the cluster has none (DescribeAddon answers ResourceNotFoundException). */
export async function readAgentAddon(
  eks: EKSClient,
  exp: ExpectedPlatform,
  errors: ReadErrors,
): Promise<AwsObserved["podIdentityAgentAddon"]> {
  try {
    const out = await eks.send(
      new DescribeAddonCommand({ clusterName: exp.clusterName, addonName: POD_IDENTITY_AGENT_ADDON }),
    );
    return {
      status: out.addon?.status ?? "",
      issues: (out.addon?.health?.issues ?? []).map((i) => `${i.code ?? ""}: ${i.message ?? ""}`),
    };
  } catch (err) {
    if (err instanceof ResourceNotFoundException || errorName(err) === "ResourceNotFoundException") {
      return null;
    }
    errors.push({ source: `eks add-on ${POD_IDENTITY_AGENT_ADDON}`, message: errorMessage(err) });
    return undefined;
  }
}
