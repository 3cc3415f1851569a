/**
 * The AWS side of the loopback platform: the SDK clients the doctor is given, answered from one recorded
 * `Observed` by aws-sdk-client-mock, in a world that may hold more than the recording (a central DNS account whose
 * zones only a role assumed there can read, a busy cluster with many Pod Identity associations). Every command
 * sent is recorded with the identity that sent it, so tests can show what the doctor asked, and as whom.
 */
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  NoSuchEntityException,
  SimulatePrincipalPolicyCommand,
  type SimulatePrincipalPolicyCommandInput,
} from "@aws-sdk/client-iam";
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
} from "@aws-sdk/client-route-53";
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  ResourceNotFoundException,
  type ListPodIdentityAssociationsCommandInput,
} from "@aws-sdk/client-eks";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandInput,
} from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import type { HostedZone, Observed, RoleObserved } from "../../commands/doctor/model";

type Stub = ReturnType<typeof mockClient>;

export const OPERATOR = "arn:aws:iam::111111111111:user/operator";

export interface World {
  /** The central DNS account: its zones answer only a session of one of its roles. */
  dnsAccount?: {
    zoneIds: string[];
    hostedZones: HostedZone[];
    /** Roles the operator may assume there, with the external ID each requires, and its trust if that role may read it. */
    roles: Record<string, { externalId?: string; trust?: RoleObserved["trust"] }>;
  };
  /** Associations of other service accounts on a busy cluster, listed before the recorded ones. */
  otherAssociations?: number;
  /**
   * Pages with no association but a nextToken before the first real one: the API reference promises only "up to"
   * maxResults a page and a nextToken "if applicable", so only the absence of a nextToken ends the list.
   */
  emptyPagesBefore?: number;
  /** Every IAM call of the operator fails with this network error (IAM's endpoint does not resolve). */
  iamError?: string;
}

/** What was sent, by whom. */
export interface Sent {
  identity: string;
  command: string;
  input: unknown;
}

const accessDenied = (message: string) => Object.assign(new Error(message), { name: "AccessDenied" });

function answerIam(mock: Stub, obs: Observed, world: World, identity: string) {
  const central = identity !== OPERATOR;
  if (world.iamError && !central) {
    const err = Object.assign(new Error(world.iamError), {
      name: "Error",
      code: world.iamError.split(" ")[1],
    });
    mock
      .on(GetRoleCommand)
      .rejects(err)
      .on(GetOpenIDConnectProviderCommand)
      .rejects(err)
      .on(SimulatePrincipalPolicyCommand)
      .rejects(err);
    return;
  }
  mock.on(GetRoleCommand).callsFake((input: { RoleName: string }) => {
    if (central) {
      const entry = Object.entries(world.dnsAccount?.roles ?? {}).find(([arn]) =>
        arn.endsWith(`/${input.RoleName}`),
      );
      if (!entry?.[1].trust) {
        throw accessDenied(`User: ${identity} is not authorized to perform: iam:GetRole`);
      }
      return {
        Role: {
          RoleName: input.RoleName,
          Arn: entry[0],
          AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(entry[1].trust)),
        },
      };
    }
    const role = obs.aws.roles[input.RoleName];
    if (!role) {
      throw new NoSuchEntityException({
        message: `The role with name ${input.RoleName} cannot be found.`,
        $metadata: {},
      });
    }
    return {
      Role: {
        RoleName: input.RoleName,
        Path: "/",
        RoleId: "AROAEXAMPLEEXAMPLE0001",
        Arn: role.arn,
        CreateDate: new Date(role.createDate),
        // IAM returns the trust URL-encoded.
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(role.trust)),
        ...(role.lastUsed
          ? { RoleLastUsed: { LastUsedDate: new Date(role.lastUsed), Region: "eu-west-1" } }
          : {}),
      },
    };
  });
  mock.on(GetOpenIDConnectProviderCommand).callsFake((input: { OpenIDConnectProviderArn: string }) => {
    const p = obs.aws.oidcProvider;
    if (!p || p.arn !== input.OpenIDConnectProviderArn) {
      throw new NoSuchEntityException({
        message: `OpenIDConnect Provider not found for arn ${input.OpenIDConnectProviderArn}`,
        $metadata: {},
      });
    }
    return { Url: p.arn.split(":oidc-provider/")[1], ClientIDList: p.clientIds, ThumbprintList: [] };
  });
  // The recorded answer for the same role, action, resource and context; anything not recorded is not allowed.
  mock.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => {
    const role = Object.entries(obs.aws.roles).find(([, r]) => r?.arn === input.PolicySourceArn)?.[0];
    const action = input.ActionNames?.[0];
    const resource = input.ResourceArns?.[0];
    const context: Record<string, string[]> = Object.fromEntries(
      (input.ContextEntries ?? []).map((e): [string, string[]] => [
        e.ContextKeyName ?? "",
        e.ContextKeyValues ?? [],
      ]),
    );
    const s = obs.aws.simulations.find(
      (x) =>
        x.role === role &&
        x.action === action &&
        x.resource === resource &&
        JSON.stringify(x.context) === JSON.stringify(context),
    );
    return {
      IsTruncated: false,
      EvaluationResults: [
        {
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: s?.decision ?? "implicitDeny",
          MatchedStatements: (s?.matched ?? []).map((m) => {
            const [, id, type, line, column] = /^(.*) \((.*)\) line (\d+), column (\d+)$/.exec(m) ?? [];
            return {
              SourcePolicyId: id,
              SourcePolicyType: type,
              StartPosition: { Line: Number(line), Column: Number(column) },
            };
          }),
          MissingContextValues: [],
          ...(s?.blockedBy === "the role's permissions boundary"
            ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false } }
            : {}),
        },
      ],
    };
  });
}

function answerRoute53(mock: Stub, obs: Observed, world: World, identity: string) {
  const central = identity !== OPERATOR;
  const theirs = new Set(world.dnsAccount?.zoneIds ?? []);
  const zones = central
    ? (world.dnsAccount?.hostedZones ?? [])
    : obs.aws.hostedZones.filter((z) => !(world.dnsAccount?.hostedZones ?? []).some((c) => c.id === z.id));
  mock.on(ListHostedZonesCommand).resolves({
    HostedZones: zones.map((z) => ({
      Id: `/hostedzone/${z.id}`,
      Name: `${z.name}.`,
      CallerReference: z.id,
      Config: { PrivateZone: z.private },
    })),
    IsTruncated: false,
    Marker: "",
    MaxItems: 100,
  });
  mock.on(ListResourceRecordSetsCommand).callsFake((input: { HostedZoneId: string }) => {
    if (theirs.has(input.HostedZoneId) !== central) {
      // A zone of another account: Route53 does not find it for this caller.
      throw new NoSuchHostedZone({
        message: `No hosted zone found with ID: ${input.HostedZoneId}`,
        $metadata: {},
      });
    }
    return {
      IsTruncated: false,
      MaxItems: 300,
      ResourceRecordSets: (obs.aws.records[input.HostedZoneId] ?? []).map((r) => ({
        Name: `${r.name.replace(/^\*/, "\\052")}.`,
        Type: r.type,
        ...(r.aliasTarget
          ? {
              AliasTarget: {
                DNSName: `${r.aliasTarget}.`,
                HostedZoneId: "Z2IFOLAFXWLO4F",
                EvaluateTargetHealth: true,
              },
            }
          : { TTL: 300, ResourceRecords: r.values.map((v) => ({ Value: r.type === "TXT" ? `"${v}"` : v })) }),
      })),
    };
  });
}

/** Pages as the API reference describes: at most `maxResults` (default 100) a page, a `nextToken` while more remain. */
function answerEks(mock: Stub, obs: Observed, world: World) {
  mock
    .on(DescribeClusterCommand)
    .resolves({ cluster: { name: "dev-eks", identity: { oidc: { issuer: obs.aws.oidcIssuer } } } });
  const all = [
    ...Array.from({ length: world.otherAssociations ?? 0 }, (_, i) => ({
      namespace: i % 2 ? "orders" : "batch",
      serviceAccount: `worker-${i}`,
      roleArn: `arn:aws:iam::111111111111:role/worker-${i}`,
    })),
    ...obs.aws.podIdentityAssociations,
  ].map((a, i) => ({ ...a, associationId: `a-${String(i).padStart(8, "0")}` }));
  mock.on(ListPodIdentityAssociationsCommand).callsFake((input: ListPodIdentityAssociationsCommandInput) => {
    const matching = all.filter(
      (a) =>
        (!input.namespace || a.namespace === input.namespace) &&
        (!input.serviceAccount || a.serviceAccount === input.serviceAccount),
    );
    const empty = /^empty-(\d+)$/.exec(input.nextToken ?? "");
    const emptySeen = empty ? Number(empty[1]) : 0;
    if (emptySeen < (world.emptyPagesBefore ?? 0) && !/^\d+$/.test(input.nextToken ?? "")) {
      return { associations: [], nextToken: `empty-${emptySeen + 1}` };
    }
    const from = empty ? 0 : Number(input.nextToken ?? 0);
    const size = Math.min(input.maxResults ?? 100, 100);
    const page = matching.slice(from, from + size);
    return {
      associations: page.map((a) => ({
        clusterName: "dev-eks",
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        associationId: a.associationId,
      })),
      ...(from + size < matching.length ? { nextToken: String(from + size) } : {}),
    };
  });
  mock.on(DescribePodIdentityAssociationCommand).callsFake((input: { associationId: string }) => {
    const a = all.find((x) => x.associationId === input.associationId);
    return { association: { ...a, clusterName: "dev-eks" } };
  });
  mock.on(DescribeAddonCommand).callsFake((input: { addonName: string }) => {
    const addon = obs.aws.podIdentityAgentAddon;
    if (!addon) {
      throw new ResourceNotFoundException({
        message: `No addon: ${input.addonName} found in cluster: dev-eks`,
        $metadata: {},
      });
    }
    return {
      addon: {
        addonName: input.addonName,
        status: addon.status,
        health: {
          issues: addon.issues.map((i) => ({
            code: i.split(": ")[0],
            message: i.split(": ").slice(1).join(": "),
          })),
        },
      },
    };
  });
}

export function awsClients(obs: Observed, world: World = {}) {
  const mocks: { identity: string; mock: Stub }[] = [];
  const track = (client: IAMClient | Route53Client | EKSClient | STSClient, identity: string) => {
    // aws-sdk-client-mock replaces `send`, so its call log is the record of what was sent.
    const mock = mockClient(client as never);
    mocks.push({ identity, mock });
    return mock;
  };
  const calls = (): Sent[] =>
    mocks.flatMap(({ identity, mock }) =>
      mock.calls().map((c) => {
        const command = c.args[0] as { constructor: { name: string }; input: unknown };
        return { identity, command: command.constructor.name, input: command.input };
      }),
    );
  const region = "eu-west-1";
  const iam = new IAMClient({ region });
  const route53 = new Route53Client({ region });
  const eks = new EKSClient({ region });
  const sts = new STSClient({ region });
  answerIam(track(iam, OPERATOR), obs, world, OPERATOR);
  answerRoute53(track(route53, OPERATOR), obs, world, OPERATOR);
  answerEks(track(eks, OPERATOR), obs, world);
  const stsMock = track(sts, OPERATOR);
  stsMock
    .on(GetCallerIdentityCommand)
    .resolves({ Arn: OPERATOR, Account: "111111111111", UserId: "AIDAOPERATOR" });
  stsMock.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
    const role = world.dnsAccount?.roles[input.RoleArn ?? ""];
    if (!role || role.externalId !== input.ExternalId) {
      throw accessDenied(
        `User: ${OPERATOR} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn ?? ""}`,
      );
    }
    const name = (input.RoleArn ?? "").split("/").pop() ?? "";
    const account = (input.RoleArn ?? "").split(":")[4];
    return {
      Credentials: {
        AccessKeyId: `ASIA${name.length}`,
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + 900_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${account}:assumed-role/${name}/${input.RoleSessionName ?? ""}`,
        AssumedRoleId: `AROA:${name}`,
      },
    };
  });
  /** Clients for a session in the DNS account: they answer only what that account holds. */
  const assumed = (credentials: { accessKeyId: string }, roleArn: string) => {
    const name = roleArn.split("/").pop() ?? "";
    const identity = `arn:aws:sts::${roleArn.split(":")[4]}:assumed-role/${name}/eks-platform-doctor`;
    const c = {
      iam: new IAMClient({
        region,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: "secret" },
      }),
      route53: new Route53Client({
        region,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: "secret" },
      }),
    };
    answerIam(track(c.iam, identity), obs, world, identity);
    answerRoute53(track(c.route53, identity), obs, world, identity);
    return c;
  };
  return {
    iam,
    route53,
    eks,
    sts,
    assumed,
    /** Command names sent, by any identity. */
    sent: () => calls().map((s) => s.command),
    calls,
    restore: () => mocks.forEach((m) => m.mock.restore()),
  };
}
