import { z } from 'zod';

/**
 * A physician's response to an escalation or a session: advice documented for the bedside ("reduce to
 * 0.3 mg/kg/h", "stop"). It is not a dose and never changes the infusion by itself: the nurse documents
 * whatever is then done, through the same dose checks as always.
 */
export const RESPONSE_MAX_CHARS = 200;

/** Quick choices offered next to the free text; none names a dose (a dose is typed by the physician). */
export const RESPONSE_QUICK_CHOICES = ['Continue, observe', 'Reduce the rate', 'Stop the infusion', 'Coming to the bedside'] as const;

export const physicianResponseInputSchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(RESPONSE_MAX_CHARS, `must be at most ${RESPONSE_MAX_CHARS} characters`),
  /** The escalation answered (an open one is acknowledged by the response). */
  escalationId: z.number().int('must be an integer').min(1, 'must be 1 or more').max(Number.MAX_SAFE_INTEGER).optional(),
});
export type PhysicianResponseInput = z.infer<typeof physicianResponseInputSchema>;

export const physicianResponseRequestSchema = physicianResponseInputSchema.extend({
  sessionId: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});
export type PhysicianResponseRequest = z.infer<typeof physicianResponseRequestSchema>;

export interface PhysicianResponse {
  id: number;
  sessionId: string;
  escalationId: number | null;
  text: string;
  at: number;
  /** Username of the physician (or trainer, in a simulated session). */
  by: string;
  /** Name shown at the bedside. */
  byName: string;
}
