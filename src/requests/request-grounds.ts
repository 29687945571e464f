import { MamoriError } from '../errors.ts';
import { suspensionGrounds, suspensionGroundsFor, type SuspensionGround } from '../law/appi/suspension-grounds.ts';
import type { RequestKind } from '../policy/schema.ts';
import './request-errors.ts';

/**
 * The 35条 conditions a person names on a request to stop use, erase, or stop provision (1項, 3項, 5項). Only those
 * the law gives for the kind; none for other kinds. Returned in statute order, without repeats.
 */
export function checkGrounds(kind: RequestKind, grounds: readonly SuspensionGround[] | undefined): SuspensionGround[] {
  if (!grounds || grounds.length === 0) return [];
  const allowed = suspensionGroundsFor(kind);
  const wrong = grounds.filter((g) => !allowed.includes(g));
  if (wrong.length > 0) {
    throw new MamoriError('MAMORI_VALIDATION_FAILED', allowed.length === 0 ? `A request of kind "${kind}" names no 35条 condition.` : `"${wrong.join('", "')}" is not a condition of 35条 for this request. Choose from: ${allowed.join(', ')}.`);
  }
  return allowed.filter((g) => grounds.includes(g));
}

/** The stored list, read back (unknown keys from a later version are dropped, never guessed). */
export function storedGrounds(json: string | null): SuspensionGround[] {
  if (!json) return [];
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? (Object.keys(suspensionGrounds) as SuspensionGround[]).filter((g) => v.includes(g)) : [];
}
