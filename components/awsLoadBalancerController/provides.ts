/** What the AWS Load Balancer Controller add-on provides to later ones (DeployContext.provide): its release, when installed. */
export const LOAD_BALANCER_CONTROLLER = "aws-load-balancer-controller";
