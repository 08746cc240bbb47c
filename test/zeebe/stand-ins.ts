// The gateway and REST stand-ins together, and the real SDK clients pointed at them.
import { createCamundaClients, type CamundaClients, type CamundaSettings } from '../../server/engine/zeebe/clients';
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
  stop(): Promise<void>;
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
    async stop() {
      for (const clients of opened) await clients.close();
      await rest.stop();
      await gateway.stop();
    },
  };
}
