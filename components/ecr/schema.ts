/**
 * The `ecr` section of a stack file: the ECR-credentials operator's role.
 */
import { z } from "zod";
import { ecrRepositoryArn, k8sName } from "../../model/formats";

export const ecrSchema = z
  .strictObject({
    repositoryArns: z
      .array(ecrRepositoryArn)
      .min(1, "at least one repository")
      .describe("Repositories the ECR-credentials operator may pull from. Required when `ecr` is set."),
    namespace: k8sName
      .optional()
      .describe("Namespace of the operator's service account. Default: the platform namespace."),
    serviceAccount: k8sName.optional().describe("The operator's service account. Default: `ecr-operator`."),
  })
  .describe("The ECR-credentials operator's IRSA role. Default: no such role.");

export type EcrInput = z.infer<typeof ecrSchema>;
