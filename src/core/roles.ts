/**
 * The roles a principal acts in, each list defined once. A broker login, an
 * API token and a command-signing key each carry one; who may issue which
 * command is src/commands/command-roles.ts.
 * `approver`: the local epidemic-control group (属地疫情防控领导小组), which approves exit passes.
 */
export const ROLES = ['guard', 'manager', 'approver', 'district', 'auditor', 'gateway', 'observer'] as const;

/** Any role a command can be sent in. */
export type Role = (typeof ROLES)[number];

/** Roles of a broker login (the embedded broker's users, its ACL). */
export const BROKER_ROLES = ['gateway', 'guard', 'manager', 'approver', 'district', 'observer'] as const satisfies readonly Role[];
export type BrokerRole = (typeof BROKER_ROLES)[number];

/** Roles of an API token: the guard-room page and the HTTP API. */
export const API_ROLES = ['guard', 'manager', 'approver', 'auditor'] as const satisfies readonly Role[];
export type ApiRole = (typeof API_ROLES)[number];

/** Roles a command-signing key (`commands.keys`) may carry. */
export const SIGNING_KEY_ROLES = ['manager', 'approver', 'district'] as const satisfies readonly Role[];

/** Roles an unsigned command on an external broker may be taken as (`mqtt.broker.commandRole`): the gateway cannot see who sent it. */
export const EXTERNAL_COMMAND_ROLES = ['guard', 'manager', 'district', 'observer'] as const satisfies readonly Role[];
export type ExternalCommandRole = (typeof EXTERNAL_COMMAND_ROLES)[number];
