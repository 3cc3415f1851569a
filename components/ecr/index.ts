/**
 * The ECR-credentials operator add-on: only its workload role. The operator itself is installed by the team
 * that runs it, with the service account this role trusts.
 */
import { roleKeys } from "../../model/naming";
import type { AddOn } from "../addOn";
import { ecrOperatorPolicy } from "./policy";
import { resolveEcr } from "./resolve";
import { ecrSchema } from "./schema";

export const ecrAddOn: AddOn<"ecr", typeof ecrSchema> = {
  key: "ecr",
  schema: ecrSchema,
  required: false,
  roleKeys: [roleKeys.ecrOperator],
  resolve: resolveEcr,
  roles: (ecr) => [
    {
      key: roleKeys.ecrOperator,
      namespace: ecr.namespace,
      serviceAccount: ecr.serviceAccount,
      description: "ECR-credentials operator: registry token and pulls from its repositories",
      policy: ecrOperatorPolicy(ecr),
      configKey: "ecr.namespace",
    },
  ],
  deploy: () => ({}),
};
