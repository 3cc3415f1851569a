/**
 * AWS as a whole: who the operator is (sts:GetCallerIdentity), IAM, EKS and Route53 in the cluster's account, and
 * the DNS account's zones and role trusts through the role assumed there (sts:AssumeRole, whose only effect is a
 * short-lived session for the reads that follow). Every read is noted under the identity that made it.
 */
import { GetRoleCommand, type IAMClient } from "@aws-sdk/client-iam";
import type { EKSClient } from "@aws-sdk/client-eks";
import type { Route53Client } from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsObserved, CentralTrust, ExpectedPlatform } from "../model";
import { readAgentAddon, readAssociations, readIssuer } from "./eks";
import { oidcProviderArn, readOidcProvider, readRoles, simulate, trustOf } from "./iam";
import { permissionQuestions } from "./permissions";
import { errorMessage, OWN_CREDENTIALS, read, type Readers, type ReadErrors } from "./reads";
import { hostedZones, readRecords, zoneReaders, type DnsRole } from "./route53";

/** Temporary credentials as STS returns them (the shape the SDK clients accept as `credentials`). */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface AwsClients {
  iam: IAMClient;
  route53: Route53Client;
  eks: EKSClient;
  sts: STSClient;
  /** Clients that use the credentials of a role assumed in another account. */
  assumed: (credentials: TemporaryCredentials, roleArn: string) => { iam: IAMClient; route53: Route53Client };
}

/** What the doctor's sessions in another account are called (CloudTrail shows it). */
export const SESSION_NAME = "eks-platform-doctor";

interface Session {
  identity: string;
  iam: IAMClient;
  route53: Route53Client;
}

async function assumeRole(clients: AwsClients, role: DnsRole, errors: ReadErrors, own: string) {
  return read(
    errors,
    `sts assume role ${role.roleArn}`,
    undefined as Session | undefined,
    async () => {
      const out = await clients.sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: SESSION_NAME,
          DurationSeconds: 900,
          ...(role.externalId ? { ExternalId: role.externalId } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new Error("STS returned no credentials");
      }
      const credentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      return {
        identity: out.AssumedRoleUser?.Arn ?? role.roleArn,
        ...clients.assumed(credentials, role.roleArn),
      };
    },
    own,
  );
}

/** Targets in the DNS account of roles bound through Pod Identity: their trust must allow sts:TagSession. */
function chainTargets(exp: ExpectedPlatform): string[] {
  const podIdentity = (ns: string, sa: string) =>
    exp.roles.some((r) => r.namespace === ns && r.serviceAccount === sa && r.binding === "pod-identity");
  const cm = exp.certManager;
  return [
    ...new Set([
      ...exp.externalDns.flatMap((e) =>
        e.assumeRoleArn && podIdentity(exp.namespace, e.release) ? [e.assumeRoleArn] : [],
      ),
      ...(podIdentity(cm.namespace, cm.serviceAccount)
        ? cm.dns01Zones.flatMap((z) => (z.roleArn ? [z.roleArn] : []))
        : []),
    ]),
  ];
}

export async function collectAws(
  exp: ExpectedPlatform,
  clients: AwsClients,
  opts: { dnsRole?: string },
  errors: ReadErrors,
  readers: Readers,
): Promise<AwsObserved> {
  // Asked beside the first reads, not before them: without credentials the SDK's provider chain can take a while
  // to give up, and every read waits for the same chain anyway. Until it answers, the operator is OWN_CREDENTIALS.
  const callerAnswer = clients.sts.send(new GetCallerIdentityCommand({})).catch(() => undefined);
  const own = OWN_CREDENTIALS;
  const needsIssuer = !exp.oidcProviderArn && exp.roles.some((r) => r.binding === "irsa");
  const podIdentity = exp.roles.some((r) => r.binding === "pod-identity");
  const readerOf = zoneReaders(exp, opts.dnsRole);
  // Every role to assume there: the zones' readers, and the chain targets whose trust is to be read.
  const targets = chainTargets(exp);
  const externalIdOf = (arn: string) =>
    exp.externalDns.find((e) => e.assumeRoleArn === arn)?.assumeRoleExternalId;
  const dnsRoles = [
    ...new Map(
      [
        ...[...readerOf.values()].flatMap((r) => (r ? [r] : [])),
        ...targets.map((roleArn) =>
          opts.dnsRole ? { roleArn: opts.dnsRole } : { roleArn, externalId: externalIdOf(roleArn) },
        ),
      ].map((r) => [r.roleArn, r] as const),
    ).values(),
  ];

  const [caller, roles, issuer, podIdentityAssociations, podIdentityAgentAddon, ownZones, sessions] =
    await Promise.all([
      callerAnswer,
      readRoles(clients.iam, exp, errors),
      needsIssuer ? readIssuer(clients.eks, exp, errors) : Promise.resolve(undefined),
      readAssociations(clients.eks, exp, errors),
      podIdentity ? readAgentAddon(clients.eks, exp, errors) : Promise.resolve(undefined),
      read(errors, "route53 hosted zones", [] as AwsObserved["hostedZones"], () =>
        hostedZones(clients.route53),
      ),
      Promise.all(dnsRoles.map(async (r) => [r.roleArn, await assumeRole(clients, r, errors, own)] as const)),
    ]);
  readers.note(own, "iam roles");
  if (needsIssuer) readers.note(own, `eks cluster ${exp.clusterName}`);
  if (podIdentity) readers.note(own, "eks pod identity");
  readers.note(own, "route53 hosted zones");

  const roleArns = Object.fromEntries(
    Object.entries(roles).flatMap(([name, r]) => (r ? [[name, r.arn] as const] : [])),
  );
  const account = Object.values(roleArns)[0] ?? caller?.Arn;
  const providerArn =
    exp.oidcProviderArn ?? (issuer && account ? oidcProviderArn(issuer, account) : undefined);
  const questions = permissionQuestions(exp).filter((q) => roleArns[q.role]);
  const sessionOf = new Map(sessions);
  const [oidcProvider, simulations, records, centralZones, centralTrusts] = await Promise.all([
    providerArn && exp.roles.some((r) => r.binding === "irsa")
      ? readOidcProvider(clients.iam, providerArn, errors)
      : Promise.resolve(undefined),
    simulate(clients.iam, roleArns, questions, errors),
    Promise.all(
      [...new Set([...readerOf.values()].map((r) => r?.roleArn))].map((roleArn) => {
        const zones = [...readerOf].filter(([, r]) => r?.roleArn === roleArn).map(([id]) => id);
        const session = roleArn ? sessionOf.get(roleArn) : { identity: own, route53: clients.route53 };
        zones.forEach((z) => session && readers.note(session.identity, `route53 records of zone ${z}`));
        return session ? readRecords(session, zones, errors) : Promise.resolve({});
      }),
    ),
    Promise.all(
      [...sessionOf.values()].map((s) =>
        s
          ? (readers.note(s.identity, "route53 hosted zones"),
            read(
              errors,
              "route53 hosted zones",
              [] as AwsObserved["hostedZones"],
              () => hostedZones(s.route53),
              s.identity,
            ))
          : Promise.resolve([]),
      ),
    ),
    Promise.all(
      targets.map(async (roleArn): Promise<CentralTrust> => {
        const session = sessionOf.get(opts.dnsRole ?? roleArn);
        if (!session) {
          return {
            roleArn,
            trust: null,
            error: `no session in the DNS account (the role ${opts.dnsRole ?? roleArn} could not be assumed)`,
          };
        }
        readers.note(session.identity, `iam role ${roleArn}`);
        try {
          const out = await session.iam.send(
            new GetRoleCommand({ RoleName: roleArn.split("/").pop() ?? roleArn }),
          );
          return { roleArn, trust: trustOf(out.Role?.AssumeRolePolicyDocument) };
        } catch (err) {
          return { roleArn, trust: null, error: `${session.identity} may not read it: ${errorMessage(err)}` };
        }
      }),
    ),
  ]);
  if (questions.length) readers.note(own, "iam simulate principal policy");
  if (providerArn) readers.note(own, "iam oidc provider");
  if (caller?.Arn) {
    readers.rename(own, caller.Arn);
    for (const e of errors) {
      if (e.identity === own) e.identity = caller.Arn;
    }
  }
  const seen = new Set<string>();
  const zones = [...ownZones, ...centralZones.flat()].filter((z) => !seen.has(z.id) && seen.add(z.id));
  return {
    roles,
    ...(issuer !== undefined ? { oidcIssuer: issuer } : {}),
    ...(oidcProvider !== undefined ? { oidcProvider } : {}),
    podIdentityAssociations,
    ...(podIdentityAgentAddon !== undefined ? { podIdentityAgentAddon } : {}),
    hostedZones: zones,
    records: Object.assign({}, ...records) as AwsObserved["records"],
    simulations,
    centralTrusts,
  };
}
