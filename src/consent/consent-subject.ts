import { z } from 'zod';

/** Anonymous first-party browser ids made by consent.js: `anon_` and 16 to 64 URL-safe random characters. */
export const browserSubjectPattern = /^anon_[A-Za-z0-9_-]{16,64}$/;

/** A subject id: the operator's user id (printable, at most 200 characters) or an anonymous browser id. */
export const subjectId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'control characters are not allowed');

export type SubjectKind = 'user' | 'browser';

export function subjectKindOf(subject: string): SubjectKind {
  return browserSubjectPattern.test(subject) ? 'browser' : 'user';
}
