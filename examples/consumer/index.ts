/**
 * Example consumer: an application team's stack that uses the platform through its outputs only. It gets a
 * service account bound to its IRSA role, and a public Ingress that the platform's controller serves,
 * external-dns publishes and cert-manager gives a certificate.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irsaAnnotations, platformOutputs } from "@acme/eks-platform-contract";

const config = new pulumi.Config();
const platform = platformOutputs(config.require("platformStack"));
const host = config.require("host");
const namespace = "orders";

const serviceAccount = new k8s.core.v1.ServiceAccount("orders-api", {
  metadata: { name: "orders-api", namespace, annotations: irsaAnnotations(platform, "orders-api") },
});

const ingress = new k8s.networking.v1.Ingress("orders-api", {
  metadata: {
    name: "orders-api",
    namespace,
    annotations: {
      "cert-manager.io/cluster-issuer": platform.defaultClusterIssuer,
      // With HTTP-01 and the NGINX controller, the solver must share this Ingress instead of a second one.
      "acme.cert-manager.io/http01-edit-in-place": "true",
    },
  },
  spec: {
    ingressClassName: platform.publicIngressClass,
    tls: [{ hosts: [host], secretName: "orders-api-tls" }],
    rules: [
      {
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "orders-api", port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  },
});

export const serviceAccountName = serviceAccount.metadata.name;
export const ingressName = ingress.metadata.name;
export const ingressClass = platform.publicIngressClass;
