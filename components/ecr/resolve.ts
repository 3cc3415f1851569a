/** Resolution of the `ecr` section: the operator's service account and repositories. */
import type { EcrConfig } from "../../model/config";
import { commonDefaults } from "../../model/defaults";
import type { ResolveContext } from "../addOn";
import type { EcrInput } from "./schema";

export function resolveEcr(input: EcrInput | undefined, ctx: ResolveContext): EcrConfig | undefined {
  return (
    input && {
      repositoryArns: input.repositoryArns,
      namespace: input.namespace ?? ctx.core.namespace,
      serviceAccount: input.serviceAccount ?? commonDefaults.serviceAccounts.ecrOperator,
    }
  );
}
