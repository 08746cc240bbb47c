// The pages' one way to the API: bearer token from the session, JSON in and out, errors as ApiError
// with the server's zh-CN message and field details. A 401 ends the session and returns to login.
import { clearSession, readToken, redirectToLogin } from './session';

export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field errors of a 400 VALIDATION_FAILED, when the server sent them as a list. */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.details) ? (this.details as FieldError[]).filter((d) => d && typeof d.field === 'string') : [];
  }
}

export interface RequestOptions {
  /** a JSON body, or FormData for uploads */
  body?: unknown;
  headers?: Record<string, string>;
  /** what to read from the response: JSON's `data` (default), text, or a Blob */
  as?: 'data' | 'json' | 'text' | 'blob';
  signal?: AbortSignal;
}

export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: options.signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  if (res.status === 401 && path !== '/api/session') {
    clearSession();
    redirectToLogin();
    throw new ApiError(401, 'UNAUTHENTICATED', '登录已过期，请重新登录');
  }
  if (!res.ok) {
    const payload = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    const error = payload?.error;
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `请求失败（${res.status}）`, error?.details);
  }
  if (res.status === 204) return undefined as T;
  switch (options.as ?? 'data') {
    case 'text':
      return (await res.text()) as T;
    case 'blob':
      return (await res.blob()) as T;
    case 'json':
      return (await res.json()) as T;
    default:
      return ((await res.json()) as { data: T }).data;
  }
}

export const api = {
  get: <T = unknown>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  delete: <T = unknown>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

/** Downloads a protected file (PDF, JSON export) with the token and opens or saves it. */
export async function openProtectedFile(path: string, filename?: string): Promise<void> {
  const blob = await request<Blob>('GET', path, { as: 'blob', headers: { Accept: '*/*' } });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  if (filename) link.download = filename;
  else link.target = '_blank';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
