/**
 * IAM policy documents as data. Every document the program attaches is built by pure functions into these
 * types and serialised with JSON.stringify by the components, never by string templates.
 */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string>;
  Action: string[];
  Resource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

export function policyDocument(statements: IamStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** `sts:AssumeRole` on a set of roles (a central account's), de-duplicated and sorted. */
export function assumeRoleStatement(sid: string, roleArns: readonly string[]): IamStatement {
  return { Sid: sid, Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [...new Set(roleArns)].sort() };
}
