/**
 * The F5 NGINX Ingress Controller add-on: one Helm release, IngressClass and NLB per instance.
 */
import type { AddOn } from "../addOn";
import type * as Deployment from "./deploy";
import { resolveIngress } from "./resolve";
import { ingressSchema } from "./schema";

/** Loads the resources' module on the first deploy (deploy.ts says why). */
function deploy(...args: Parameters<typeof Deployment.deploy>): ReturnType<typeof Deployment.deploy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./deploy") as typeof Deployment).deploy(...args);
}

export const ingressAddOn: AddOn<"ingress", typeof ingressSchema> = {
  key: "ingress",
  schema: ingressSchema,
  required: false,
  roleKeys: [],
  resolve: resolveIngress,
  roles: () => [],
  deploy,
};
