/**
 * IAM policy of the AWS Load Balancer Controller, as data. Pure.
 *
 * Source: kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0 (commit 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4),
 * `docs/install/iam_policy.json` for the `aws` partition, `iam_policy_cn.json` for `aws-cn` and
 * `iam_policy_us-gov.json` for `aws-us-gov`. Upstream's three files hold the same 16 statements (no Sid), with two
 * differences only: the partition in the ARNs, and, in the cn and us-gov files, the statement that tags load
 * balancers and target groups at creation comes before the one that modifies and deletes tagged resources (the
 * `aws` file has them the other way round). This function reproduces each file statement for statement;
 * tests/alb-controller.test.ts compares it with digests of the upstream files (tests/fixtures/alb-iam-policy.digest.json).
 *
 * The policy is carried exactly, writes on `*` included: the controller creates security groups, load balancers,
 * listeners and rules whose ARNs do not exist before it makes them, and upstream scopes what it can with the
 * `elbv2.k8s.aws/cluster` tag. The policy pack accepts these writes only for this built-in role and only for this
 * exact document (docs/operations.md); everywhere else a write on a wildcard resource is still refused.
 *
 * Action strings and `Resource` are lists here where upstream sometimes writes a single string: IAM reads both the
 * same, and the comparison normalises them.
 */
import type { Partition } from "../../model/enums";
import { policyDocument, type IamStatement, type PolicyDocument } from "../../model/iam";

const ELB = "elasticloadbalancing";
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** Every resource: the statements upstream does not scope by ARN. */
const ANY = ["*"];

function allow(actions: string[], resources: string[], condition?: IamStatement["Condition"]): IamStatement {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** The statements of upstream's file for `partition`, in that file's order. */
export function loadBalancerControllerStatements(partition: Partition): IamStatement[] {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:*:*:${resource}`;
  const securityGroups = [arn("ec2", "security-group/*")];
  const balancersAndGroups = [
    arn(ELB, "targetgroup/*/*"),
    arn(ELB, "loadbalancer/net/*/*"),
    arn(ELB, "loadbalancer/app/*/*"),
  ];

  const tagOnCreate = allow([`${ELB}:AddTags`], balancersAndGroups, {
    StringEquals: { [`${ELB}:CreateAction`]: ["CreateTargetGroup", "CreateLoadBalancer"] },
    Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
  });
  const modifyTagged = allow(
    [
      `${ELB}:ModifyLoadBalancerAttributes`,
      `${ELB}:SetIpAddressType`,
      `${ELB}:SetSecurityGroups`,
      `${ELB}:SetSubnets`,
      `${ELB}:DeleteLoadBalancer`,
      `${ELB}:ModifyTargetGroup`,
      `${ELB}:ModifyTargetGroupAttributes`,
      `${ELB}:DeleteTargetGroup`,
      `${ELB}:ModifyListenerAttributes`,
      `${ELB}:ModifyCapacityReservation`,
      `${ELB}:ModifyIpPools`,
    ],
    ANY,
    { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } },
  );

  return [
    allow(["iam:CreateServiceLinkedRole"], ANY, {
      StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
    }),
    allow(
      [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        `${ELB}:DescribeLoadBalancers`,
        `${ELB}:DescribeLoadBalancerAttributes`,
        `${ELB}:DescribeListeners`,
        `${ELB}:DescribeListenerCertificates`,
        `${ELB}:DescribeSSLPolicies`,
        `${ELB}:DescribeRules`,
        `${ELB}:DescribeTargetGroups`,
        `${ELB}:DescribeTargetGroupAttributes`,
        `${ELB}:DescribeTargetHealth`,
        `${ELB}:DescribeTags`,
        `${ELB}:DescribeTrustStores`,
        `${ELB}:DescribeListenerAttributes`,
        `${ELB}:DescribeCapacityReservation`,
      ],
      ANY,
    ),
    allow(
      [
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "shield:CreateProtection",
        "shield:DeleteProtection",
      ],
      ANY,
    ),
    allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], ANY),
    allow(["ec2:CreateSecurityGroup"], ANY),
    allow(["ec2:CreateTags"], securityGroups, {
      StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
      Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
    }),
    allow(["ec2:CreateTags", "ec2:DeleteTags"], securityGroups, {
      Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" },
    }),
    allow(
      ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      ANY,
      { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } },
    ),
    allow([`${ELB}:CreateLoadBalancer`, `${ELB}:CreateTargetGroup`], ANY, {
      Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
    }),
    allow([`${ELB}:CreateListener`, `${ELB}:DeleteListener`, `${ELB}:CreateRule`, `${ELB}:DeleteRule`], ANY),
    allow([`${ELB}:AddTags`, `${ELB}:RemoveTags`], balancersAndGroups, {
      Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" },
    }),
    allow(
      [`${ELB}:AddTags`, `${ELB}:RemoveTags`],
      [
        arn(ELB, "listener/net/*/*/*"),
        arn(ELB, "listener/app/*/*/*"),
        arn(ELB, "listener-rule/net/*/*/*"),
        arn(ELB, "listener-rule/app/*/*/*"),
      ],
    ),
    // The one place the files differ beyond the partition: the order of these two.
    ...(partition === "aws" ? [modifyTagged, tagOnCreate] : [tagOnCreate, modifyTagged]),
    allow([`${ELB}:RegisterTargets`, `${ELB}:DeregisterTargets`], [arn(ELB, "targetgroup/*/*")]),
    allow(
      [
        `${ELB}:SetWebAcl`,
        `${ELB}:ModifyListener`,
        `${ELB}:AddListenerCertificates`,
        `${ELB}:RemoveListenerCertificates`,
        `${ELB}:ModifyRule`,
        `${ELB}:SetRulePriorities`,
      ],
      ANY,
    ),
  ];
}

/** The controller's policy document for the stack's partition. */
export function loadBalancerControllerPolicy(partition: Partition): PolicyDocument {
  return policyDocument(loadBalancerControllerStatements(partition));
}
