// A Zeebe gateway stand-in for tests without a broker: a @grpc/grpc-js server built from the
// zeebe.proto inside @camunda8/sdk (loaded with the SDK's own loader options), so the real SDK client
// talks to it over real gRPC. It executes nothing: it records every call, hands out the jobs a test
// puts in (ActivateJobs long polls and StreamActivatedJobs streams), keeps the little state the
// commands need (deployed versions, instances, jobs) and answers a scripted error when told to.
// One stand-in is one test's cluster: start a new one per test rather than share its state. Tests
// wait on it with until(), which re-checks its condition whenever a call came in or a job changed.
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
export const ZEEBE_PROTO = require.resolve('@camunda8/sdk/dist/proto/zeebe.proto');

export interface RecordedCall {
  method: string;
  request: any;
}

export interface StandInJob {
  key: string;
  type: string;
  processInstanceKey: string;
  bpmnProcessId: string;
  elementId: string;
  retries: number;
  variables: Record<string, unknown>;
  customHeaders: Record<string, string>;
  state: 'activatable' | 'activated' | 'completed' | 'failed' | 'error-thrown' | 'incident' | 'canceled';
  worker: string | null;
}

export interface StandInInstance {
  key: string;
  bpmnProcessId: string;
  version: number;
  variables: Record<string, unknown>;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
}

interface Waiter {
  type: string;
  max: number;
  deliver(jobs: StandInJob[]): void;
}

export class GatewayStandIn {
  readonly calls: RecordedCall[] = [];
  readonly jobs = new Map<string, StandInJob>();
  readonly instances = new Map<string, StandInInstance>();
  /** set to make the next call of a method fail with a gRPC status */
  private readonly scripted = new Map<string, { code: grpc.status; details: string }>();
  private readonly versions = new Map<string, { content: string; version: number; key: string }[]>();
  private readonly pollers = new Set<Waiter>();
  private readonly streams = new Map<grpc.ServerWritableStream<any, any>, { type: string; worker: string; timeout: number }>();
  private server: grpc.Server | null = null;
  /** until()'s conditions, re-checked after every call and every change of a job */
  private readonly watchers = new Set<() => void>();
  /** ActivateJobs calls held in flight (holdActivations) */
  private held: (() => void)[] | null = null;
  private nextKey = 2251799813685248; // Zeebe keys start at partition 1's first key
  port = 0;
  /** called when an instance is created, to put in the jobs a diagram would create */
  onInstanceCreated: (instance: StandInInstance) => void = () => {};

  key(): string {
    return String(this.nextKey++);
  }

  async start(): Promise<void> {
    const definition = protoLoader.loadSync(ZEEBE_PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const proto = grpc.loadPackageDefinition(definition) as any;
    const service = proto.gateway_protocol.Gateway.service;
    this.server = new grpc.Server();
    const unary = (method: string, answer: (request: any) => any) => (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
      this.calls.push({ method, request: call.request });
      const scripted = this.scripted.get(method);
      if (scripted) {
        this.scripted.delete(method);
        callback({ code: scripted.code, details: scripted.details } as grpc.ServiceError);
        return;
      }
      try {
        callback(null, answer(call.request));
      } catch (err) {
        const e = err as { code?: grpc.status; message: string };
        callback({ code: e.code ?? grpc.status.INTERNAL, details: e.message } as grpc.ServiceError);
      } finally {
        this.changed();
      }
    };
    this.server.addService(service, {
      Topology: unary('Topology', () => ({
        brokers: [{ nodeId: 0, host: 'stand-in', port: 26501, partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }], version: '8.8.0' }],
        clusterSize: 1,
        partitionsCount: 1,
        replicationFactor: 1,
        gatewayVersion: '8.8.0',
      })),
      DeployResource: unary('DeployResource', (req) => this.deploy(req)),
      CreateProcessInstance: unary('CreateProcessInstance', (req) => this.createInstance(req)),
      CancelProcessInstance: unary('CancelProcessInstance', (req) => {
        const instance = this.instances.get(String(req.processInstanceKey));
        if (!instance || instance.state !== 'ACTIVE') throw Object.assign(new Error(`no active instance ${req.processInstanceKey}`), { code: grpc.status.NOT_FOUND });
        instance.state = 'TERMINATED';
        for (const job of this.jobs.values()) if (job.processInstanceKey === instance.key && job.state !== 'completed') job.state = 'canceled';
        return {};
      }),
      PublishMessage: unary('PublishMessage', (req) => {
        if (req.messageId && this.calls.some((c) => c.method === 'PublishMessage' && c.request !== req && c.request.messageId === req.messageId && c.request.name === req.name)) {
          throw Object.assign(new Error(`message ${req.name} with id ${req.messageId} already published`), { code: grpc.status.ALREADY_EXISTS });
        }
        return { key: this.key(), tenantId: req.tenantId };
      }),
      CompleteJob: unary('CompleteJob', (req) => {
        this.activeJob(req.jobKey).state = 'completed';
        return {};
      }),
      FailJob: unary('FailJob', (req) => {
        const job = this.activeJob(req.jobKey);
        job.retries = req.retries;
        job.worker = null;
        if (req.retries > 0) {
          job.state = 'failed';
          // activatable again after the backoff, as the broker does
          setTimeout(() => {
            if (job.state !== 'failed') return;
            job.state = 'activatable';
            this.dispatch();
            this.changed();
          }, Number(req.retryBackOff));
        } else {
          job.state = 'incident';
        }
        return {};
      }),
      ThrowError: unary('ThrowError', (req) => {
        this.activeJob(req.jobKey).state = 'error-thrown';
        return {};
      }),
      UpdateJobRetries: unary('UpdateJobRetries', (req) => {
        const job = this.jobs.get(String(req.jobKey));
        if (!job) throw Object.assign(new Error(`no job ${req.jobKey}`), { code: grpc.status.NOT_FOUND });
        job.retries = req.retries;
        return {};
      }),
      UpdateJobTimeout: unary('UpdateJobTimeout', (req) => {
        this.activeJob(req.jobKey);
        return {};
      }),
      ResolveIncident: unary('ResolveIncident', () => ({})),
      SetVariables: unary('SetVariables', () => ({ key: this.key() })),
      ActivateJobs: (call: grpc.ServerWritableStream<any, any>) => {
        this.calls.push({ method: 'ActivateJobs', request: call.request });
        if (this.held) {
          // in flight until released
          this.held.push(() => this.activateJobs(call));
          this.changed();
          return;
        }
        this.activateJobs(call);
      },
      StreamActivatedJobs: (call: grpc.ServerWritableStream<any, any>) => {
        this.calls.push({ method: 'StreamActivatedJobs', request: call.request });
        this.streams.set(call, { type: call.request.type, worker: call.request.worker, timeout: Number(call.request.timeout) });
        const close = () => this.streams.delete(call);
        call.on('cancelled', close);
        call.on('close', close);
        this.dispatch();
        this.changed();
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  }

  async stop(): Promise<void> {
    this.held = null;
    this.endStreams();
    // long polls held open are answered empty, as the gateway does when it shuts down
    for (const waiter of [...this.pollers]) waiter.deliver([]);
    this.pollers.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.tryShutdown(() => resolve()) : resolve()));
    this.server?.forceShutdown();
    this.server = null;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /**
   * Ends every open StreamActivatedJobs call with status OK, as a gateway going away does. A stream
   * that ended so is not cancelled when the worker closes it, so the SDK has no CANCELLED to print.
   */
  endStreams(): number {
    const open = [...this.streams.keys()];
    for (const stream of open) stream.end();
    this.streams.clear();
    return open.length;
  }

  /** The StreamActivatedJobs calls open now, by job type (what a stream worker has subscribed). */
  openStreams(worker?: string): string[] {
    return [...this.streams.values()].filter((s) => worker === undefined || s.worker === worker).map((s) => s.type);
  }

  /** Holds every ActivateJobs call in flight (recorded, unanswered) until the returned release is called. */
  holdActivations(): () => void {
    this.held = [];
    return () => {
      const held = this.held ?? [];
      this.held = null;
      for (const serve of held) serve();
      this.changed();
    };
  }

  /** The next call of `method` fails with `code`. */
  failNext(method: string, code: grpc.status, details = 'scripted failure'): void {
    this.scripted.set(method, { code, details });
  }

  callsOf(method: string): any[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** Puts a job in, as the broker does when a service task is entered; handed out at once if someone waits. */
  addJob(input: Partial<StandInJob> & { type: string; processInstanceKey: string }): StandInJob {
    const instance = this.instances.get(input.processInstanceKey);
    const job: StandInJob = {
      key: this.key(),
      bpmnProcessId: instance?.bpmnProcessId ?? 'stand-in-process',
      elementId: `Task_${input.type.replace(/\W/g, '_')}`,
      retries: 3,
      customHeaders: {},
      state: 'activatable',
      worker: null,
      ...input,
      variables: { ...(instance?.variables ?? {}), ...(input.variables ?? {}) },
    };
    this.jobs.set(job.key, job);
    this.dispatch();
    this.changed();
    return job;
  }

  /**
   * Resolves when `predicate` holds. No polling: it is checked now and again after every call the
   * stand-in answers and every change of a job, so a condition that holds only for a moment (one
   * FailJob before the next) is not missed however slow the machine. `ms` is a generous ceiling for
   * a condition that never comes; the rejection lists this stand-in's calls by method.
   */
  until(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(check);
      };
      const check = () => {
        try {
          if (!predicate()) return;
          done();
          resolve();
        } catch (err) {
          done();
          reject(err);
        }
      };
      const timer = setTimeout(() => {
        done();
        const counts = new Map<string, number>();
        for (const c of this.calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; calls: ${[...counts].map(([m, n]) => `${m}×${n}`).join(', ') || 'none'}`));
      }, ms);
      this.watchers.add(check);
    });
  }

  private changed(): void {
    for (const check of [...this.watchers]) check();
  }

  private deploy(req: { resources: { name: string; content: Buffer }[]; tenantId: string }) {
    const deployments = req.resources.map(({ name, content }) => {
      const text = content.toString('utf8');
      const isForm = /\.form$/i.test(name);
      const id = isForm ? (JSON.parse(text) as { id: string }).id : /<(?:\w+:)?process\b[^>]*\bid="([^"]+)"/.exec(text)?.[1];
      if (!id) throw Object.assign(new Error(`cannot read ${name}`), { code: grpc.status.INVALID_ARGUMENT });
      const slot = `${isForm ? 'form' : 'process'}:${id}`;
      const history = this.versions.get(slot) ?? [];
      let latest = history[history.length - 1];
      // the broker makes no new version of an unchanged resource
      if (!latest || latest.content !== text) {
        latest = { content: text, version: history.length + 1, key: this.key() };
        history.push(latest);
        this.versions.set(slot, history);
      }
      return isForm
        ? { form: { formId: id, version: latest.version, formKey: latest.key, resourceName: name, tenantId: req.tenantId } }
        : { process: { bpmnProcessId: id, version: latest.version, processDefinitionKey: latest.key, resourceName: name, tenantId: req.tenantId } };
    });
    return { key: this.key(), deployments, tenantId: req.tenantId };
  }

  private createInstance(req: { bpmnProcessId: string; version: number; variables: string; tenantId: string }) {
    const history = this.versions.get(`process:${req.bpmnProcessId}`);
    const definition = history && (req.version > 0 ? history.find((h) => h.version === req.version) : history[history.length - 1]);
    if (!definition) throw Object.assign(new Error(`process ${req.bpmnProcessId} not deployed`), { code: grpc.status.NOT_FOUND });
    const instance: StandInInstance = { key: this.key(), bpmnProcessId: req.bpmnProcessId, version: definition.version, variables: JSON.parse(req.variables || '{}'), state: 'ACTIVE' };
    this.instances.set(instance.key, instance);
    this.onInstanceCreated(instance);
    return { processDefinitionKey: definition.key, bpmnProcessId: req.bpmnProcessId, version: definition.version, processInstanceKey: instance.key, tenantId: req.tenantId };
  }

  /** ActivateJobs: the jobs ready now, else a long poll held until one comes in or the request times out. */
  private activateJobs(call: grpc.ServerWritableStream<any, any>): void {
    const { type, worker, maxJobsToActivate, timeout } = call.request;
    const respond = (jobs: StandInJob[]) => {
      for (const job of jobs) this.activate(job, worker);
      call.write({ jobs: jobs.map((job) => this.wire(job, worker, Number(timeout))) });
      call.end();
    };
    const ready = this.take(type, Number(maxJobsToActivate));
    const requestTimeout = Number(call.request.requestTimeout);
    // a negative request timeout asks for no long polling (the stream worker's back-fill poll)
    if (ready.length || requestTimeout < 0) {
      respond(ready);
      this.changed();
      return;
    }
    // long poll: held until a job of the type comes in, or the request times out
    const waiter: Waiter = { type, max: Number(maxJobsToActivate), deliver: (jobs) => { cleanup(); respond(jobs); } };
    const timer = setTimeout(() => { cleanup(); call.write({ jobs: [] }); call.end(); }, requestTimeout > 0 ? Math.min(requestTimeout, 10_000) : 10_000);
    const cleanup = () => { clearTimeout(timer); this.pollers.delete(waiter); };
    call.on('cancelled', cleanup);
    this.pollers.add(waiter);
    this.changed();
  }

  private activeJob(jobKey: string): StandInJob {
    const job = this.jobs.get(String(jobKey));
    if (!job || job.state !== 'activated') throw Object.assign(new Error(`Command 'COMPLETE' rejected: expected job ${jobKey} to be activated`), { code: grpc.status.NOT_FOUND });
    return job;
  }

  private take(type: string, max: number): StandInJob[] {
    return [...this.jobs.values()].filter((j) => j.type === type && j.state === 'activatable').slice(0, max);
  }

  private activate(job: StandInJob, worker: string): void {
    job.state = 'activated';
    job.worker = worker;
  }

  /** Hands activatable jobs to open streams first (as the broker pushes), then to waiting long polls. */
  private dispatch(): void {
    for (const [stream, { type, worker, timeout }] of this.streams) {
      for (const job of this.take(type, Number.MAX_SAFE_INTEGER)) {
        this.activate(job, worker);
        stream.write(this.wire(job, worker, timeout));
      }
    }
    for (const waiter of [...this.pollers]) {
      const jobs = this.take(waiter.type, waiter.max);
      if (jobs.length) waiter.deliver(jobs);
    }
  }

  private wire(job: StandInJob, worker: string, timeout: number) {
    const instance = this.instances.get(job.processInstanceKey);
    return {
      key: job.key,
      type: job.type,
      processInstanceKey: job.processInstanceKey,
      bpmnProcessId: job.bpmnProcessId,
      processDefinitionVersion: instance?.version ?? 1,
      processDefinitionKey: '2251799813685000',
      elementId: job.elementId,
      elementInstanceKey: this.key(),
      customHeaders: JSON.stringify(job.customHeaders),
      worker,
      retries: job.retries,
      deadline: String(Date.now() + (timeout || 60_000)),
      variables: JSON.stringify(job.variables),
      tenantId: '<default>',
    };
  }
}
