/**
 * Entry point of the policy pack: `pulumi preview --policy-pack ./policy`. The rules are in rules.ts, their
 * CrossGuard form in pack.ts; this file only serves them.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, { policies });
