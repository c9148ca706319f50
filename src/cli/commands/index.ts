import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { auditCommand } from './audit.js';
import { doctorCommand } from './doctor.js';
import { heldCommand } from './held.js';
import { identitiesCommand } from './identities.js';
import { pauseCommand } from './pause.js';
import { planCommand } from './plan.js';
import { poisonCommand } from './poison.js';
import { reportCommand } from './report.js';
import { statusCommand } from './status.js';
import { subscriptionsCommand } from './subscriptions.js';
import { syncUserCommand } from './syncUser.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  doctorCommand,
  planCommand,
  applyCommand,
  statusCommand,
  syncUserCommand,
  heldCommand,
  poisonCommand,
  pauseCommand(true),
  pauseCommand(false),
  auditCommand,
  reportCommand,
  identitiesCommand,
  subscriptionsCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
