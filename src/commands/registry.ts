import type { CommandName } from '../intake/parse';
import { ack } from './ack';
import { assign } from './assign';
import { chase } from './chase';
import type { CommandDefinition } from './context';
import { council } from './council';
import { done } from './done';
import { escalate } from './escalate';
import { help } from './help';
import { note } from './note';
import { rateBad, rateGood } from './rate';
import { show } from './show';
import { supplement } from './supplement';
import { todo } from './todo';
import { withdraw } from './withdraw';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  ack,
  note,
  done,
  assign,
  escalate,
  council,
  withdraw,
  supplement,
  chase,
  rateGood,
  rateBad,
  show,
  todo,
  help,
];

export function commandNamed(name: CommandName): CommandDefinition {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`command ${name} is not registered`);
  return found;
}
