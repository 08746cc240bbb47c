// The gateway and REST stand-ins together, and the real SDK clients pointed at them.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createCamundaClients, type CamundaClients, type CamundaSettings, type ZeebeGrpc } from '../../server/engine/zeebe/clients';
import type { RunningWorkers } from '../../workers/runtime/in-process';
import { GatewayStandIn } from './gateway-stand-in';
import { RestStandIn } from './rest-stand-in';

export interface StandIns {
  gateway: GatewayStandIn;
  rest: RestStandIn;
  /** the Camunda settings of config.ts that point at the stand-ins */
  settings: CamundaSettings;
  /** the env for testConfig() that selects the Zeebe engine on the stand-ins */
  env: Record<string, string>;
  clients(): CamundaClients;
  /**
   * Stops job workers of clients() without the SDK's console noise: closing a stream worker cancels
   * its StreamActivatedJobs calls and the SDK console.errors each CANCELLED (see
   * workers/runtime/zeebe.ts). So once the workers' `streams` job streams (one per job type; 0 in
   * poll mode) are open at the gateway, the gateway ends them, and once the clients have seen them
   * end, the workers stop (awaited) with nothing left to cancel.
   */
  stopWorkers(workers: RunningWorkers, streams: number): Promise<void>;
  /**
   * stopWorkers() without the stop: waits for `streams` job streams, ends them, waits for the clients
   * (those of clients(), or `grpcs`: e.g. the one startEngine made) to see them end
   */
  endJobStreams(streams: number, grpcs?: ZeebeGrpc[]): Promise<void>;
  /** closes the clients, then the stand-ins */
  stop(): Promise<void>;
}

/**
 * The StreamActivatedJobs calls of a client's stream worker. The SDK (pinned at 8.8.13) keeps them
 * in the private ZeebeGrpcClient.streamWorker.streams; should that change, [] (the workers then
 * stop as before, only not quietly).
 */
function jobStreamsOf(grpc: ZeebeGrpc): Readable[] {
  const streams = (grpc as unknown as { streamWorker?: { streams?: unknown } }).streamWorker?.streams;
  return Array.isArray(streams) ? (streams as Readable[]) : [];
}

async function ended(stream: Readable, ms: number): Promise<void> {
  // the SDK destroys a job stream when it ends; an ended stream is then 'close'd
  if (stream.destroyed) return;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    await once(stream, 'close', { signal: ac.signal });
  } catch {
    throw new Error(`a job stream did not end within ${ms} ms of the gateway ending it`);
  } finally {
    clearTimeout(timer);
  }
}

export async function startStandIns(): Promise<StandIns> {
  const gateway = new GatewayStandIn();
  await gateway.start();
  const rest = new RestStandIn(gateway);
  await rest.start();
  const settings: CamundaSettings = {
    zeebeAddress: gateway.address,
    zeebeRestAddress: rest.url,
    camundaAuthStrategy: 'NONE',
    camundaSecureConnection: false,
    zeebeClientId: undefined,
    zeebeClientSecret: undefined,
    camundaOauthUrl: undefined,
    zeebeTokenAudience: 'zeebe.camunda.io',
    camundaBasicAuthUsername: undefined,
    camundaBasicAuthPassword: undefined,
  };
  const opened: CamundaClients[] = [];
  async function endJobStreams(streams: number, grpcs = opened.map((clients) => clients.grpc)): Promise<void> {
    // a stream still on its way would be cancelled, not ended: wait for them all (workers.stop()
    // would wait for them too)
    await gateway.until(() => gateway.openStreams().length >= streams, `${streams} job streams to be open`);
    gateway.endStreams();
    await Promise.all(grpcs.flatMap(jobStreamsOf).map((stream) => ended(stream, 30_000)));
  }
  return {
    gateway,
    rest,
    settings,
    env: { ENGINE: 'zeebe', ZEEBE_ADDRESS: gateway.address, ZEEBE_REST_ADDRESS: rest.url, ZEEBE_TASK_POLL_INTERVAL_MS: '50' },
    clients() {
      // no client-side retries: a scripted error must reach the adapter as the cluster gave it
      const clients = createCamundaClients(settings, { retry: false });
      opened.push(clients);
      return clients;
    },
    endJobStreams,
    async stopWorkers(workers, streams) {
      await endJobStreams(streams);
      await workers.stop();
    },
    async stop() {
      for (const clients of opened.splice(0)) await clients.close();
      await rest.stop();
      await gateway.stop();
    },
  };
}
