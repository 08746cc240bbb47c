// camunda-external-task-client-js 3.1 ships no types: the part workers/runtime/external-task.ts uses.
declare module 'camunda-external-task-client-js' {
  export interface TypedValue {
    value: unknown;
    type: string;
    valueInfo?: Record<string, unknown>;
  }

  export class Variables {
    constructor(initial?: Record<string, TypedValue>, options?: Record<string, unknown>);
    get(name: string): unknown;
    getTyped(name: string): TypedValue | null;
    getAll(): Record<string, unknown>;
    getAllTyped(): Record<string, TypedValue>;
    getDirtyVariables(): Record<string, TypedValue>;
    set(name: string, value: unknown): this;
    setTyped(name: string, typed: TypedValue): this;
    setAll(values: Record<string, unknown>): this;
  }

  export interface Task {
    id: string;
    topicName: string;
    workerId: string;
    lockExpirationTime: string;
    processInstanceId: string;
    processDefinitionKey: string;
    activityId: string;
    retries: number | null;
    extensionProperties?: Record<string, string> | null;
    variables: Variables;
  }

  export interface TaskService {
    complete(task: Task | string, variables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(task: Task | string, options: { errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number }): Promise<void>;
    handleBpmnError(task: Task | string, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task | string, newDuration: number): Promise<void>;
    unlock(task: Task | string): Promise<void>;
  }

  export type Handler = (args: { task: Task; taskService: TaskService }) => Promise<void> | void;
  export type Interceptor = (config: Record<string, any>) => Record<string, any>;

  export interface ClientOptions {
    baseUrl: string;
    workerId?: string;
    maxTasks?: number;
    maxParallelExecutions?: number;
    interval?: number;
    lockDuration?: number;
    autoPoll?: boolean;
    asyncResponseTimeout?: number;
    usePriority?: boolean;
    interceptors?: Interceptor | Interceptor[];
    use?: ((client: Client) => void) | Array<(client: Client) => void>;
  }

  export interface TopicSubscription {
    unsubscribe(): void;
  }

  export class Client {
    constructor(options: ClientOptions);
    subscribe(topic: string, options: { lockDuration?: number; variables?: string[] } | Handler, handler?: Handler): TopicSubscription;
    start(): void;
    stop(): void;
    on(event: string, listener: (...args: any[]) => void): this;
    off(event: string, listener: (...args: any[]) => void): this;
  }

  export class BasicAuthInterceptor {
    constructor(options: { username: string; password: string });
  }

  export const logger: (client: Client) => void;
}
