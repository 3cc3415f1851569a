/**
 * The CI roles' IAM documents (docs/ci-roles/*.json, explained in docs/deploy.md) against what the program really
 * registers: every AWS resource type in the plans of the stack files, the fixture stacks and the derived stacks
 * that reach the other code paths (a created cluster, a created OIDC provider, EKS Pod Identity), and every type
 * the transition model knows, maps to the API actions its provider calls; the deploy role allows all of them, the
 * drift role their reads, the preview role what the program looks up. Preview and drift are read-only. Each role's
 * trust matches the OIDC subject of the workflow jobs that assume it.
 *
 * Sources of the action lists (the IAM action of an AWS API operation has the operation's name, AWS Service
 * Authorization Reference):
 * - which API calls each resource makes: read in terraform-provider-aws (under @pulumi/aws) for
 *   internal/service/iam/role.go (create CreateRole; read GetRole, ListRolePolicies, ListAttachedRolePolicies;
 *   update UpdateAssumeRolePolicy, UpdateRoleDescription, UpdateRole, Tag/UntagRole; delete
 *   ListInstanceProfilesForRole, RemoveRoleFromInstanceProfile, DetachRolePolicy, DeleteRole) and
 *   iam/openid_connect_provider_data_source.go (below). The other types' lists follow the API's operations for the
 *   object (Create/Describe/Update/Delete/Tag/Untag) and were not checked call by call against their source files;
 * - what a created cluster contains: @pulumi/eks v4.3.0 nodejs/eks/cluster/cluster.ts (service role and
 *   attachments, cluster security group and rules, aws.eks.Cluster, kube-proxy/vpc-cni/coredns add-ons, instance
 *   role and profile, OIDC provider, aws-auth ConfigMap, access entries), nodes/nodegroup.ts (createNodeGroupV2:
 *   node security group, LaunchTemplate, autoscaling Group, AMI from SSM), addons/cni-addon.ts (getAddonVersion);
 * - iam:PassRole: eks:CreateCluster passes the cluster role, eks:CreatePodIdentityAssociation the workload role,
 *   an Auto Scaling group the instance profile's role (EKS user guide, pod-id-association; IAM user guide,
 *   id_roles_use_passrole).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { parse } from "yaml";
import type { Capture } from "../offline/harness";
import { TYPE_RULES } from "../offline/transitions/model";
import { stackNames } from "../commands/stacks";
import { ROOT } from "./helpers/cli";
import { derivedStackFile, planStack } from "./helpers/stacks";

const DIR = path.join(ROOT, "docs", "ci-roles");

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Federated?: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}
const doc = (file: string): PolicyDocument =>
  JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as PolicyDocument;
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());
const allowed = (policy: PolicyDocument): Set<string> =>
  new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)));

/** An action that only reads. */
const READ = /^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]*$/;

interface Actions {
  /** What refresh (and the provider's read after each change) calls. */
  read: string[];
  /** What create, update and delete call, besides the reads. */
  write: string[];
}

/** API actions by AWS resource type (see the sources above). */
const RESOURCE_ACTIONS: Record<string, Actions> = {
  "aws:iam/role:Role": {
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListRoleTags"],
    write: [
      "iam:CreateRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:ListInstanceProfilesForRole",
      "iam:DetachRolePolicy",
      "iam:DeleteRole",
    ],
  },
  "aws:iam/policy:Policy": {
    read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"],
    write: [
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:DeletePolicyVersion",
      "iam:TagPolicy",
      "iam:UntagPolicy",
      "iam:DeletePolicy",
    ],
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    read: ["iam:ListAttachedRolePolicies"],
    write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    read: ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags"],
    write: [
      "iam:CreateOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
    ],
  },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
    read: ["eks:DescribePodIdentityAssociation"],
    write: [
      "eks:CreatePodIdentityAssociation",
      "eks:UpdatePodIdentityAssociation",
      "eks:DeletePodIdentityAssociation",
      "eks:TagResource",
      "eks:UntagResource",
      "iam:PassRole",
    ],
  },
  "aws:eks/addon:Addon": {
    read: ["eks:DescribeAddon", "eks:DescribeAddonVersions"],
    write: ["eks:CreateAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:TagResource", "eks:UntagResource"],
  },
  // Created by eks:index:Cluster (below).
  "aws:eks/cluster:Cluster": {
    read: ["eks:DescribeCluster", "eks:ListTagsForResource"],
    write: [
      "eks:CreateCluster",
      "eks:UpdateClusterConfig",
      "eks:UpdateClusterVersion",
      "eks:TagResource",
      "eks:UntagResource",
      "eks:DeleteCluster",
      "iam:PassRole",
    ],
  },
  // cluster.accessEntries (API_AND_CONFIG_MAP): @pulumi/eks v4.3.0 nodejs/eks/cluster/authenticationMode.ts
  // createAccessEntries, one AccessEntry and its AccessPolicyAssociations per entry, and one for the node role.
  "aws:eks/accessEntry:AccessEntry": {
    read: ["eks:DescribeAccessEntry"],
    write: [
      "eks:CreateAccessEntry",
      "eks:UpdateAccessEntry",
      "eks:TagResource",
      "eks:UntagResource",
      "eks:DeleteAccessEntry",
    ],
  },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
    read: ["eks:ListAssociatedAccessPolicies"],
    write: ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"],
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    read: ["iam:GetInstanceProfile"],
    write: [
      "iam:CreateInstanceProfile",
      "iam:AddRoleToInstanceProfile",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
      "iam:UntagInstanceProfile",
      "iam:DeleteInstanceProfile",
    ],
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    read: ["ec2:DescribeSecurityGroups"],
    write: [
      "ec2:CreateSecurityGroup",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:CreateTags",
      "ec2:DeleteTags",
      "ec2:DeleteSecurityGroup",
    ],
  },
  "aws:ec2/securityGroupRule:SecurityGroupRule": {
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
    write: [
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupEgress",
    ],
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    write: [
      "ec2:CreateLaunchTemplate",
      "ec2:CreateLaunchTemplateVersion",
      "ec2:ModifyLaunchTemplate",
      "ec2:CreateTags",
      "ec2:DeleteLaunchTemplate",
    ],
  },
  "aws:autoscaling/group:Group": {
    read: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"],
    write: [
      "autoscaling:CreateAutoScalingGroup",
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:CreateOrUpdateTags",
      "autoscaling:DeleteTags",
      "autoscaling:DeleteAutoScalingGroup",
      // The group launches instances from the template with the instance profile's role.
      "ec2:RunInstances",
      "iam:PassRole",
    ],
  },
};

/** What @pulumi/eks 4.3.0 creates for the program's `new Cluster(...)` (components/cluster/clusterAccess.ts). */
const CLUSTER_CHILDREN = [
  "aws:iam/role:Role",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:eks/cluster:Cluster",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  "aws:eks/addon:Addon",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:autoscaling/group:Group",
];
/** And what it looks up doing so: the VPC and subnets, the node AMI (SSM), instance types, add-on versions. */
const CLUSTER_LOOKUPS = [
  "ec2:DescribeVpcs",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeInstanceTypeOfferings",
  "ec2:DescribeTags",
  "ssm:GetParameter",
  "eks:DescribeAddonVersions",
];

/** API actions of the program's own look-ups (invokes), by token. */
const INVOKE_ACTIONS: Record<string, string[]> = {
  // An existing cluster, read by name (components/cluster/clusterAccess.ts).
  "aws:eks/getCluster:getCluster": ["eks:DescribeCluster"],
  // Its OIDC provider, looked up by issuer URL: terraform-provider-aws
  // internal/service/iam/openid_connect_provider_data_source.go lists the account's providers
  // (findOpenIDConnectProviderByURL), then reads the matching one.
  "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": [
    "iam:ListOpenIDConnectProviders",
    "iam:GetOpenIDConnectProvider",
  ],
  // The Pod Identity agent's default version for the cluster's Kubernetes version, when the stack installs the
  // agent without a pinned version (components/identity): terraform-provider-aws
  // internal/service/eks/addon_version_data_source.go calls DescribeAddonVersions.
  "aws:eks/getAddonVersion:getAddonVersion": ["eks:DescribeAddonVersions"],
};

const out = fs.mkdtempSync(path.join(os.tmpdir(), "ci-roles-"));
const plans: Capture[] = [];

before(async () => {
  const derived = (base: string, name: string, changes: Record<string, unknown>) =>
    planStack(name, out, derivedStackFile(out, name, base, changes));
  plans.push(
    // The fixture stacks, then the real stack files, whatever teams put in them.
    await planStack("dev", out),
    await planStack("prod", out),
    ...(await Promise.all(
      stackNames(ROOT).map((s) => planStack(s, out, path.join(ROOT, `Pulumi.${s}.yaml`))),
    )),
    // The same derived stacks as tests/cluster-modes.test.ts and tests/identity.test.ts (planned once per run).
    await derived("dev", "selfcontained", {
      cluster: {
        mode: "new",
        name: "sandbox-eks",
        version: "1.34",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
      },
    }),
    await derived("prod", "prodoidc", { "cluster.createOidcProvider": true }),
    await derived("dev", "devpods", { "iam.binding": "pod-identity", "iam.installPodIdentityAgent": true }),
  );
});

/** Every AWS resource type the plans register or the transition model knows, a created cluster's expanded. */
function awsTypes(): Set<string> {
  const types = new Set<string>();
  const add = (type: string): void => {
    if (type === "eks:index:Cluster") CLUSTER_CHILDREN.forEach((t) => types.add(t));
    else if (type.startsWith("aws:")) types.add(type);
  };
  for (const plan of plans) plan.resources.forEach((r) => add(r.type));
  Object.keys(TYPE_RULES).forEach(add);
  return types;
}

describe("the CI roles' permissions", () => {
  test("the plans cover the program's code paths: a created cluster, a created OIDC provider, Pod Identity", () => {
    const seen = new Set(plans.flatMap((p) => p.resources.map((r) => r.type)));
    for (const type of [
      "eks:index:Cluster",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "aws:eks/addon:Addon",
      "aws:iam/role:Role",
      "aws:iam/policy:Policy",
    ]) {
      assert.ok(seen.has(type), type);
    }
  });

  test("every AWS resource type maps to the API actions its provider calls", () => {
    const unmapped = [...awsTypes()].filter((t) => !RESOURCE_ACTIONS[t]);
    assert.deepEqual(unmapped, [], "add the type's actions to RESOURCE_ACTIONS and to docs/ci-roles/*.json");
    const invokes = [...new Set(plans.flatMap((p) => p.invokes.map((i) => i.token)))].filter((t) =>
      t.startsWith("aws:"),
    );
    assert.deepEqual(invokes.sort(), Object.keys(INVOKE_ACTIONS).sort(), "the program's AWS look-ups");
  });

  test("deploy allows every action of every type, and nothing else", () => {
    const needed = new Set([
      ...[...awsTypes()].flatMap((t) => [...RESOURCE_ACTIONS[t].read, ...RESOURCE_ACTIONS[t].write]),
      ...Object.values(INVOKE_ACTIONS).flat(),
      ...CLUSTER_LOOKUPS,
    ]);
    const deploy = allowed(doc("deploy.json"));
    assert.deepEqual([...needed].filter((a) => !deploy.has(a)).sort(), [], "missing from deploy.json");
    assert.deepEqual(
      [...deploy].filter((a) => !needed.has(a)).sort(),
      [],
      "deploy.json allows more than the program needs",
    );
  });

  test("drift (refresh, then preview) allows every read, preview what the program looks up; both read only", () => {
    const reads = new Set([
      ...[...awsTypes()].flatMap((t) => RESOURCE_ACTIONS[t].read),
      ...Object.values(INVOKE_ACTIONS).flat(),
      ...CLUSTER_LOOKUPS,
    ]);
    const drift = allowed(doc("drift.json"));
    assert.deepEqual([...reads].filter((a) => !drift.has(a)).sort(), [], "missing from drift.json");
    assert.deepEqual([...drift].filter((a) => !reads.has(a)).sort(), [], "drift.json allows more");
    const preview = allowed(doc("preview.json"));
    assert.deepEqual([...preview].sort(), [...new Set(Object.values(INVOKE_ACTIONS).flat())].sort());
    for (const [file, actions] of [
      ["preview.json", preview],
      ["drift.json", drift],
      ["state-read.json", allowed(doc("state-read.json"))],
    ] as const) {
      const writes = [...actions].filter((a) => !READ.test(a) && a !== "s3:GetObject" && a !== "kms:Decrypt");
      assert.deepEqual(writes, [], `${file} must only read`);
    }
  });

  test("no wildcard actions; IAM and EKS writes scoped to the account's ARNs; PassRole only to EKS and EC2", () => {
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith(".json") && !f.endsWith(".trust.json"))) {
      const policy = doc(file);
      assert.equal(policy.Version, "2012-10-17", file);
      // Fits a managed policy (6,144 characters without whitespace, IAM quotas), so also an inline one.
      assert.ok(JSON.stringify(policy).length <= 6144, `${file} is too long for one IAM policy`);
      for (const s of policy.Statement) {
        assert.equal(s.Effect, "Allow", `${file} ${s.Sid}`);
        assert.ok(s.Sid, `${file}: every statement has a Sid`);
        for (const a of list(s.Action)) assert.doesNotMatch(a, /\*/, `${file} ${s.Sid}: ${a}`);
        const writes = list(s.Action).filter((a) => !READ.test(a));
        const iamOrEks = writes.filter((a) => /^(iam|eks):/.test(a));
        if (iamOrEks.length > 0) {
          for (const r of list(s.Resource)) {
            assert.match(r, /^arn:aws:(iam|eks):[^:]*:ACCOUNT_ID:[a-z-]+\/\*$/, `${file} ${s.Sid}: ${r}`);
          }
        }
        if (list(s.Action).includes("iam:PassRole")) {
          assert.deepEqual(list(s.Action), ["iam:PassRole"]);
          assert.deepEqual(list(s.Condition?.StringEquals?.["iam:PassedToService"]).sort(), [
            "ec2.amazonaws.com",
            "eks.amazonaws.com",
            "pods.eks.amazonaws.com",
          ]);
        }
      }
    }
  });

  test("the self-managed backend: preview reads the state, deploy and drift also write it and its locks", () => {
    // pulumi/pulumi v3.259.0 pkg/backend/diy/backend.go: Update and Refresh take the stack's lock (a file under
    // .pulumi/locks/) and write the checkpoint; Preview neither locks nor persists. lock.go: Lock writes, Unlock
    // deletes the lock file.
    assert.deepEqual([...allowed(doc("state-read.json"))].sort(), [
      "kms:Decrypt",
      "s3:GetObject",
      "s3:ListBucket",
    ]);
    assert.deepEqual([...allowed(doc("state-write.json"))].sort(), [
      "kms:Decrypt",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
    ]);
  });
});

interface Job {
  environment?: string | { name: string };
  steps?: { uses?: string; with?: Record<string, string> }[];
}

describe("the CI roles' trust", () => {
  /** Each workflow job that assumes an AWS role: the role variable and the OIDC subject GitHub gives the job. */
  function assumptions(): { variable: string; subject: string; where: string }[] {
    const found: { variable: string; subject: string; where: string }[] = [];
    const dir = path.join(ROOT, ".github", "workflows");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
      const workflow = parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
        on: Record<string, unknown>;
        jobs: Record<string, Job>;
      };
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith("aws-actions/configure-aws-credentials")) continue;
          const variable = /vars\.([A-Z_]+)/.exec(step.with?.["role-to-assume"] ?? "")?.[1] ?? "";
          const environment = typeof job.environment === "object" ? job.environment.name : job.environment;
          // GitHub's OIDC subject: the environment when the job has one, else the event's (pull_request) or
          // the ref's (push to main, schedule and dispatch on the default branch).
          const subject = environment
            ? `environment:${environment}`
            : "pull_request" in workflow.on
              ? "pull_request"
              : "ref:refs/heads/main";
          found.push({ variable, subject, where: `${file} ${name}` });
        }
      }
    }
    return found;
  }

  const ROLE_FILES: Record<string, (subject: string) => string> = {
    AWS_PREVIEW_ROLE_ARN: () => "preview.trust.json",
    AWS_DEPLOY_ROLE_ARN: (subject) => `deploy-${subject.replace("environment:", "")}.trust.json`,
    AWS_DRIFT_ROLE_ARN: () => "drift.trust.json",
  };

  test("each role trusts GitHub's OIDC provider for exactly the subject of the jobs that assume it", () => {
    const jobs = assumptions();
    assert.deepEqual([...new Set(jobs.map((j) => j.variable))].sort(), Object.keys(ROLE_FILES).sort());
    const files = new Set<string>();
    for (const job of jobs) {
      const file = ROLE_FILES[job.variable](job.subject);
      files.add(file);
      const [s, ...rest] = doc(file).Statement;
      assert.deepEqual(rest, [], file);
      assert.equal(
        s.Principal?.Federated,
        "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com",
      );
      assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
      // Only StringEquals: a StringLike with a wildcard subject would let any branch or fork's workflow in.
      assert.deepEqual(Object.keys(s.Condition ?? {}), ["StringEquals"], file);
      assert.deepEqual(
        s.Condition?.StringEquals,
        {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:OWNER/REPO:${job.subject}`,
        },
        `${file} for ${job.where}`,
      );
    }
    assert.deepEqual(
      [...files].sort(),
      fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith(".trust.json"))
        .sort(),
      "a trust document per role, none unused",
    );
  });

  test("docs/deploy.md names every document in docs/ci-roles", () => {
    const deployDoc = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");
    for (const file of fs.readdirSync(DIR)) {
      assert.ok(deployDoc.includes(`ci-roles/${file}`), file);
    }
  });
});
