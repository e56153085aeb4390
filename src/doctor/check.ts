/** The status of a doctor check (doctor.ts says what each means). */
export type CheckStatus = 'ok' | 'missing' | 'warning';

export interface DoctorCheck {
  id: string;
  ok: boolean;
  status: CheckStatus;
  /** What was found, in a few words. */
  detail: string;
  /** A command or step that fixes it. */
  fix?: string;
  /** Metric names or patterns this takes away (empty for ok checks and warnings). */
  disables: string[];
}
