// Small helpers shared by the inbox's views.
import { ApiError } from '../shared/api';

/** The API's own message for an error; a generic one for anything else. */
export const errorText = (error: unknown, fallback = '操作失败，请重试'): string =>
  error instanceof ApiError ? error.message : error instanceof Error && error.message ? error.message : fallback;

/** A busy button: disabled while `work` runs. */
export async function whileBusy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}
