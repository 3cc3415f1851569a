/**
 * EKS Pod Identity as a real account and cluster behave, on configurations a new user would write: Pod Identity
 * everywhere with a central DNS account, a cluster this stack creates, renames of the environment and of a role
 * key, a prod stack moving cert-manager to Pod Identity and back, and China. Each is planned from a stack file
 * derived from the real ones; transitions are judged with offline/transitions (what `plan:diff --strict` runs).
 *
 * Sources, each cited again where it decides an assertion:
 * - EKS user guide, pod-id-abac ("Cross-account tags": every session tag EKS Pod Identity adds is transitive);
 * - EKS API reference, CreatePodIdentityAssociation (one association per service account, eventually consistent);
 * - aws/amazon-eks-pod-identity-webhook v0.6.17 pkg/handler/handler.go (container credentials take precedence);
 * - EKS API reference, CreateAddon/UpdateAddon (resolveConflicts), DeleteAddon (preserve);
 * - the AWS China EKS user guide (docs.amazonaws.cn/en_us/eks/latest/userguide/pod-id-role.html,
 *   pod-id-agent-setup.html) and the China EKS API reference listing the EKS Auth API.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { resourcesOfType, type Capture, type CapturedResource } from "../offline/harness";
import { judgeTransition } from "../offline/transitions/judge";
import { assertOneProblem, edited, stackValues } from "./helpers/config";
import { T, json, trustOf, policyOf, valuesOf } from "./helpers/program";
import { derivedStackFile, planStack, writeStackFile } from "./helpers/stacks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "pod-identity-"));
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ADDON = "aws:eks/addon:Addon";
const CLUSTER = "eks:index:Cluster";
const PODS = { Service: "pods.eks.amazonaws.com" };
const NEW_CLUSTER = {
  mode: "new",
  name: "sandbox-eks",
  version: "1.34",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
};

const VARIANTS: Record<string, [string, Record<string, unknown>]> = {
  prodPods: ["prod", { "iam.binding": "pod-identity" }],
  devPods: ["dev", { "iam.binding": "pod-identity", "iam.installPodIdentityAgent": true }],
  devPodsRenamed: [
    "dev",
    { "iam.binding": "pod-identity", "iam.installPodIdentityAgent": true, environment: "qa" },
  ],
  devPodsKeyRenamed: [
    "dev",
    {
      "iam.binding": "pod-identity",
      "iam.installPodIdentityAgent": true,
      "iam.extraRoles": { orders: { ...teamRole() } },
    },
  ],
  devPodsPinned: [
    "dev",
    {
      "iam.binding": "pod-identity",
      "iam.installPodIdentityAgent": true,
      "iam.podIdentityAgentVersion": "v1.3.8-eksbuild.2",
    },
  ],
  newPods: ["dev", { cluster: NEW_CLUSTER, "iam.binding": "pod-identity" }],
  // A prod stack moving cert-manager to Pod Identity (two updates) and back (two updates).
  toPods1: ["prod", { "iam.roleBindings": { "cert-manager": "pod-identity" }, "iam.keepIrsaTrust": true }],
  toPods2: ["prod", { "iam.roleBindings": { "cert-manager": "pod-identity" } }],
  back1: ["prod", { "iam.keepPodIdentityTrust": ["cert-manager"] }],
};

function teamRole(): Record<string, unknown> {
  const iam = stackValues("dev").iam as { extraRoles: Record<string, unknown> };
  return iam.extraRoles["orders-api"] as Record<string, unknown>;
}

const plans: Record<string, Capture> = {};
let prod: Capture;
let china: Capture;
before(async () => {
  const chinaValues = JSON.parse(
    JSON.stringify(stackValues("prod"))
      .replaceAll("arn:aws:", "arn:aws-cn:")
      .replaceAll("eu-west-1", "cn-north-1"),
  ) as Record<string, unknown>;
  chinaValues.iam = {
    ...(chinaValues.iam as Record<string, unknown>),
    binding: "pod-identity",
    installPodIdentityAgent: true,
  };
  const planned = await Promise.all([
    planStack("prod", out),
    planStack("cnpods", out, writeStackFile(out, "cnpods", chinaValues)),
    ...Object.entries(VARIANTS).map(([name, [base, changes]]) =>
      planStack(name, out, derivedStackFile(out, name, base, changes)),
    ),
  ]);
  [prod, china] = planned;
  Object.keys(VARIANTS).forEach((name, i) => (plans[name] = planned[i + 2]));
});

const find = (c: Capture, type: string, name: string): CapturedResource => {
  const r = c.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `${type} ${name}`);
  return r;
};
const statements = (c: Capture, role: string) =>
  (trustOf(c, role) as { Statement: { Principal: Record<string, string> }[] }).Statement;
const principals = (c: Capture, role: string) => statements(c, role).map((s) => Object.keys(s.Principal)[0]);
const judge = (before: Capture, after: Capture) => judgeTransition(before, after);
const stepOf = (c: ReturnType<typeof judge>, id: string) => c.steps.find((s) => s.id === id);

describe("cross-account DNS with Pod Identity (sts:TagSession on both sides)", () => {
  // EKS user guide, pod-id-abac, "Cross-account tags": the tags EKS Pod Identity adds are transitive, so the
  // AssumeRole external-dns (--aws-assume-role: external-dns v0.21.0 provider/aws/config.go, stscreds) and
  // cert-manager's solver (`role`: cert-manager v1.21.1 pkg/issuer/acme/dns/route53/route53.go, sts.AssumeRole
  // with the ambient credentials) make carries them, and IAM asks for sts:TagSession in the caller's policy and
  // in the target's trust (aws/eks-pod-identity-agent#80).
  test("the workload roles may tag the session they open in the DNS account", () => {
    const pods = plans.prodPods;
    for (const role of ["prod-external-dns-central-platform", "prod-cert-manager-platform"]) {
      const chain = (
        policyOf(pods, role) as { Statement: { Sid?: string; Action: string[] }[] }
      ).Statement.find((s) => s.Sid === "AssumeCentralDnsRole");
      assert.deepEqual(chain?.Action, ["sts:AssumeRole", "sts:TagSession"], role);
    }
  });

  test("the DNS account's trusts allow both, for this stack's roles named by their predictable ARNs", () => {
    const roles = plans.prodPods.outputs.centralDnsRoles as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(roles).sort(), [
      "arn:aws:iam::222222222222:role/prod-eks-cert-manager",
      "arn:aws:iam::222222222222:role/prod-eks-external-dns",
    ]);
    // IAM's ARN of a role without a path (IAM user guide, reference_identifiers): known before the role exists.
    assert.deepEqual(json(roles["arn:aws:iam::222222222222:role/prod-eks-external-dns"].trustPolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ExternalDnsOfStack",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::(account-id):role/prod-external-dns-central-platform" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "sts:ExternalId": "prod-eks-platform" } },
        },
      ],
    });
    assert.deepEqual(json(roles["arn:aws:iam::222222222222:role/prod-eks-cert-manager"].trustPolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CertManagerOfStack",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::(account-id):role/prod-cert-manager-platform" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    });
    assert.ok(!JSON.stringify(roles).includes("known after apply"));
  });

  test("the documents do not change with the binding, so a move needs nothing from the DNS account", () => {
    assert.deepEqual(plans.prodPods.outputs.centralDnsRoles, prod.outputs.centralDnsRoles);
    assert.deepEqual(
      policyOf(plans.prodPods, "prod-external-dns-central-platform"),
      policyOf(prod, "prod-external-dns-central-platform"),
    );
  });

  test("the chain is the application's own AssumeRole, not the association's targetRoleArn", () => {
    for (const a of resourcesOfType(plans.prodPods, ASSOCIATION)) {
      assert.equal(a.inputs.targetRoleArn, undefined, a.name);
    }
    assert.ok(
      (valuesOf(plans.prodPods, "external-dns-central").extraArgs as string[]).includes(
        "--aws-assume-role=arn:aws:iam::222222222222:role/prod-eks-external-dns",
      ),
    );
  });
});

describe("a cluster this stack creates, with Pod Identity", () => {
  test("the agent is installed by default, and it and every association wait for the cluster", () => {
    const c = plans.newPods;
    const cluster = `${CLUSTER}::sandbox-eks`;
    const agent = find(c, ADDON, "eks-pod-identity-agent");
    assert.deepEqual(agent.dependsOn, [cluster]);
    // The default version for the cluster's own Kubernetes version (the mocks echo the version they were asked for).
    assert.equal(agent.inputs.addonVersion, "(default eks-pod-identity-agent for 1.34)");
    const associations = resourcesOfType(c, ASSOCIATION);
    assert.equal(associations.length, 6);
    for (const a of associations) {
      assert.ok(a.dependsOn?.includes(cluster), `${a.name}: ${String(a.dependsOn)}`);
      assert.ok(a.dependsOn?.includes(`${ADDON}::eks-pod-identity-agent`), a.name);
    }
  });

  test("turning the agent off for a created cluster is refused, naming the key", () => {
    const p = assertOneProblem(
      edited("dev", {
        cluster: NEW_CLUSTER,
        "iam.binding": "pod-identity",
        "iam.installPodIdentityAgent": false,
      }),
      "eks-platform:iam.installPodIdentityAgent",
      /a new cluster has no eks-pod-identity-agent unless this stack installs it/,
    );
    assert.equal(p.value, false);
  });
});

describe("the agent add-on, cluster-wide", () => {
  // CreateAddon: OVERWRITE takes over a self-managed install (NONE may fail); UpdateAddon: PRESERVE keeps
  // fields changed in the cluster; DeleteAddon with preserve keeps the agent for other stacks' pods.
  test("takes over a self-managed agent, is kept in the cluster when removed, follows the cluster version", () => {
    const agent = find(plans.devPods, ADDON, "eks-pod-identity-agent");
    assert.equal(agent.inputs.resolveConflictsOnCreate, "OVERWRITE");
    assert.equal(agent.inputs.resolveConflictsOnUpdate, "PRESERVE");
    assert.equal(agent.inputs.preserve, true);
    assert.equal(agent.inputs.addonVersion, "(default eks-pod-identity-agent for (kubernetes-version))");
    const lookup = plans.devPods.invokes.find((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion");
    assert.deepEqual(lookup?.inputs, {
      addonName: "eks-pod-identity-agent",
      kubernetesVersion: "(kubernetes-version)",
    });
  });

  test("a pinned version is used as it is, without a look-up; without the agent it is refused", () => {
    const pinned = plans.devPodsPinned;
    assert.equal(find(pinned, ADDON, "eks-pod-identity-agent").inputs.addonVersion, "v1.3.8-eksbuild.2");
    assert.ok(!pinned.invokes.some((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion"));
    assertOneProblem(
      edited("dev", { "iam.podIdentityAgentVersion": "v1.3.8-eksbuild.2" }),
      "eks-platform:iam.podIdentityAgentVersion",
      /no version unless the stack installs the agent/,
    );
  });

  test("turning the agent off only stops managing it: the judge sees a delete of a preserved add-on", () => {
    const verdict = judge(plans.devPods, plans.prodPods);
    assert.equal(stepOf(verdict, `${ADDON}::eks-pod-identity-agent`)?.action, "delete");
    assert.equal(find(plans.devPods, ADDON, "eks-pod-identity-agent").inputs.preserve, true);
  });
});

describe("renames with Pod Identity: one association per service account", () => {
  test("renaming the environment updates each association to the new role, nothing is created twice", () => {
    const verdict = judge(plans.devPods, plans.devPodsRenamed);
    assert.deepEqual(
      verdict.violations.filter((v) => v.kind === "collision"),
      [],
      JSON.stringify(verdict.violations),
    );
    const associations = verdict.steps.filter((s) => s.type === ASSOCIATION);
    assert.equal(associations.length, 6);
    for (const s of associations) {
      assert.deepEqual([s.action, s.paths], ["update", ["roleArn"]], s.id);
    }
    // The new role exists, with its policy attached, before an association points at it.
    const a = find(plans.devPodsRenamed, ASSOCIATION, "platform/cert-manager");
    assert.ok(a.dependsOn?.includes(`${T.attachment}::qa-cert-manager-platform`));
    assert.equal(a.inputs.roleArn, "<known after apply: aws:iam/role:Role qa-cert-manager-platform arn>");
  });

  test("renaming a team role's key keeps its association too", () => {
    const verdict = judge(plans.devPods, plans.devPodsKeyRenamed);
    assert.deepEqual(
      verdict.steps.filter((s) => s.type === ASSOCIATION).map((s) => [s.action, s.id]),
      [["update", `${ASSOCIATION}::orders/orders-api`]],
    );
    assert.deepEqual(verdict.violations, []);
  });

  test("where a rename cannot keep it (associations still named by role), the judge reports the collision", () => {
    // What the program registered before associations were named by service account: the role name.
    const old = JSON.parse(JSON.stringify(plans.devPods)) as Capture;
    for (const r of old.resources.filter((x) => x.type === ASSOCIATION)) {
      const role = /Role (\S+) arn/.exec(String(r.inputs.roleArn))![1];
      r.name = role;
      r.id = `${ASSOCIATION}::${role}`;
    }
    assert.deepEqual(judge(old, plans.devPods).violations, [], "the alias keeps an unrenamed stack's URNs");
    const collisions = judge(old, plans.devPodsRenamed).violations.filter(
      (v) => v.kind === "collision" && v.resource.startsWith(ASSOCIATION),
    );
    assert.equal(collisions.length, 6);
    assert.match(collisions[0].message, /would be created under a new name in the program/);
  });

  test("two roles for one service account are refused, naming the second", () => {
    const dup = { ...teamRole(), namespace: "platform", serviceAccount: "external-dns-private" };
    assertOneProblem(
      edited("dev", { "iam.extraRoles": { "orders-api": teamRole(), dup } }),
      "eks-platform:iam.extraRoles.dup",
      /platform\/external-dns-private is already the service account of role external-dns-private/,
    );
  });
});

describe("prod moves cert-manager to Pod Identity and back", () => {
  const ROLE = "prod-cert-manager-platform";
  const RELEASE_ID = `${T.release}::cert-manager`;
  const saAnnotated = (c: Capture) =>
    (valuesOf(c, "cert-manager").serviceAccount as { annotations: Record<string, string> }).annotations[
      "eks.amazonaws.com/role-arn"
    ] !== undefined;
  const binding = (c: Capture) =>
    (valuesOf(c, "cert-manager").podAnnotations as Record<string, string>)[
      "eks-platform.io/workload-binding"
    ];

  test("step 1 (pod-identity + keepIrsaTrust): both trusts, the association before the roll, annotation kept", () => {
    const step = plans.toPods1;
    assert.deepEqual(principals(step, ROLE), ["Service", "Federated"]);
    assert.deepEqual(statements(step, ROLE)[0].Principal, PODS);
    // Associations are eventually consistent (CreatePodIdentityAssociation API reference): a pod started before
    // this one takes effect gets IRSA from the annotation, which the trust still accepts.
    assert.ok(saAnnotated(step));
    assert.equal(binding(step), "pod-identity+irsa");
    const release = find(step, T.release, "cert-manager");
    assert.ok(release.inputsFrom.includes(`${ASSOCIATION}::platform/cert-manager`));
    const verdict = judge(prod, step);
    assert.deepEqual(verdict.violations, []);
    assert.equal(stepOf(verdict, `${ASSOCIATION}::platform/cert-manager`)?.action, "create");
    assert.ok(
      stepOf(verdict, RELEASE_ID)?.paths.includes("values.podAnnotations.eks-platform.io/workload-binding"),
    );
  });

  test("step 2 (pod-identity): Pod Identity only, the annotation goes, the pods roll again", () => {
    const step = plans.toPods2;
    assert.deepEqual(
      statements(step, ROLE).map((s) => s.Principal),
      [PODS],
    );
    assert.ok(!saAnnotated(step));
    assert.equal(binding(step), "pod-identity");
    const verdict = judge(plans.toPods1, step);
    assert.deepEqual(verdict.violations, []);
    assert.equal(
      stepOf(verdict, `${ASSOCIATION}::platform/cert-manager`),
      undefined,
      "the association stays",
    );
    assert.equal(stepOf(verdict, RELEASE_ID)?.action, "update");
  });

  // The way back. The webhook gives the association precedence over the annotation ("Container credentials
  // method takes precedence": aws/amazon-eks-pod-identity-webhook v0.6.17 pkg/handler/handler.go), and Pulumi
  // deletes the association only at the end of the update: pods started until then get Pod Identity credentials.
  test("back, step 1 (irsa + keepPodIdentityTrust): both trusts while the association is deleted", () => {
    const step = plans.back1;
    assert.deepEqual(principals(step, ROLE), ["Federated", "Service"]);
    assert.ok(saAnnotated(step));
    assert.equal(binding(step), "irsa+pod-identity");
    assert.deepEqual(resourcesOfType(step, ASSOCIATION), []);
    const verdict = judge(plans.toPods2, step);
    assert.deepEqual(verdict.violations, []);
    assert.equal(stepOf(verdict, `${ASSOCIATION}::platform/cert-manager`)?.action, "delete");
    assert.equal(stepOf(verdict, `${T.role}::${ROLE}`)?.action, "update");
    // Only the moving role keeps the other trust.
    assert.deepEqual(principals(step, "prod-external-dns-central-platform"), ["Federated"]);
  });

  test("back, step 2 (irsa): IRSA only, and the pods roll onto it after the association is gone", () => {
    assert.deepEqual(principals(prod, ROLE), ["Federated"]);
    assert.equal(binding(prod), "irsa");
    const verdict = judge(plans.back1, prod);
    assert.deepEqual(verdict.violations, []);
    assert.equal(stepOf(verdict, RELEASE_ID)?.action, "update");
  });

  test("either move in one update is reported, with the key that makes it safe", () => {
    const direct = (from: Capture, to: Capture) =>
      judge(from, to).violations.map((v) => [v.kind, v.resource, v.fix]);
    assert.deepEqual(direct(prod, plans.toPods2), [
      [
        "binding-move",
        `${ASSOCIATION}::platform/cert-manager`,
        "set iam.keepIrsaTrust: true together with the new binding, and remove it in a later update (docs/identity.md)",
      ],
    ]);
    assert.deepEqual(direct(plans.toPods2, prod), [
      [
        "binding-move",
        `${ASSOCIATION}::platform/cert-manager`,
        "set the binding irsa with the role's key in iam.keepPodIdentityTrust, and remove it in the next update (docs/identity.md)",
      ],
    ]);
  });

  test("keepPodIdentityTrust names roles bound through irsa only", () => {
    assertOneProblem(
      edited("prod", {
        "iam.roleBindings": { "cert-manager": "pod-identity" },
        "iam.keepPodIdentityTrust": ["cert-manager"],
      }),
      "eks-platform:iam.keepPodIdentityTrust[0]",
      /the key of a role this stack binds through irsa/,
      "prod",
    );
  });
});

describe("China (aws-cn)", () => {
  // Sources disagree: an older page of the China EKS user guide (pod-identities.html) says Pod Identity is not
  // available there; the current China guide documents the role trust (pod-id-role.html, principal
  // pods.eks.amazonaws.com), the agent add-on (pod-id-agent-setup.html), session tags (pod-id-abac.html), and
  // the China EKS API reference lists the EKS Auth API (AssumeRoleForPodIdentity). The program follows the
  // current pages: Pod Identity is allowed in aws-cn, with the same service principal.
  test("plans with the agent, the same principal, China ARNs, and the DNS account's documents", () => {
    assert.equal(resourcesOfType(china, ADDON).length, 1);
    assert.equal(resourcesOfType(china, ASSOCIATION).length, 5);
    assert.deepEqual(
      statements(china, "prod-cert-manager-platform").map((s) => s.Principal),
      [PODS],
    );
    const roles = china.outputs.centralDnsRoles as Record<string, Record<string, string>>;
    const trust = json(roles["arn:aws-cn:iam::222222222222:role/prod-eks-external-dns"].trustPolicy) as {
      Statement: { Principal: unknown; Action: string[] }[];
    };
    assert.deepEqual(trust.Statement[0].Principal, {
      AWS: "arn:aws-cn:iam::(account-id):role/prod-external-dns-central-platform",
    });
    assert.deepEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
  });
});
