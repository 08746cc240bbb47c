// The Camunda 8 clients the Zeebe adapter uses, from our one config (the SDK would read process.env
// itself; every value it needs is passed explicitly, so what runs is what config.ts parsed).
import { Camunda8 } from '@camunda8/sdk';
import type { Config } from '../../core/config';

export type ZeebeGrpc = ReturnType<Camunda8['getZeebeGrpcApiClient']>;
export type CamundaRest = ReturnType<Camunda8['getCamundaRestClient']>;

export interface CamundaClients {
  grpc: ZeebeGrpc;
  rest: CamundaRest;
  close(): Promise<void>;
}

export type CamundaSettings = Pick<
  Config,
  | 'zeebeAddress'
  | 'zeebeRestAddress'
  | 'camundaAuthStrategy'
  | 'camundaSecureConnection'
  | 'zeebeClientId'
  | 'zeebeClientSecret'
  | 'camundaOauthUrl'
  | 'zeebeTokenAudience'
  | 'camundaBasicAuthUsername'
  | 'camundaBasicAuthPassword'
>;

/** `host:port` → grpc(s)://host:port; an address that names its scheme is taken as given. */
export function grpcAddressOf(address: string, secure: boolean): string {
  return /^grpcs?:\/\//.test(address) ? address : `${secure ? 'grpcs' : 'grpc'}://${address}`;
}

export function createCamundaClients(settings: CamundaSettings, options: { retry?: boolean } = {}): CamundaClients {
  if (!settings.zeebeAddress || !settings.zeebeRestAddress) throw new Error('ZEEBE_ADDRESS and ZEEBE_REST_ADDRESS are required for the Zeebe engine');
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: grpcAddressOf(settings.zeebeAddress, settings.camundaSecureConnection),
    ZEEBE_REST_ADDRESS: settings.zeebeRestAddress.replace(/\/+$/, ''),
    CAMUNDA_AUTH_STRATEGY: settings.camundaAuthStrategy,
    CAMUNDA_OAUTH_DISABLED: settings.camundaAuthStrategy !== 'OAUTH',
    ZEEBE_CLIENT_ID: settings.zeebeClientId,
    ZEEBE_CLIENT_SECRET: settings.zeebeClientSecret,
    CAMUNDA_OAUTH_URL: settings.camundaOauthUrl,
    ZEEBE_TOKEN_AUDIENCE: settings.zeebeTokenAudience,
    CAMUNDA_BASIC_AUTH_USERNAME: settings.camundaBasicAuthUsername,
    CAMUNDA_BASIC_AUTH_PASSWORD: settings.camundaBasicAuthPassword,
    // our pino logger reports what matters; the SDK's own console logger stays quiet
    CAMUNDA_LOG_LEVEL: 'error',
    zeebeGrpcSettings: {
      ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
      ZEEBE_GRPC_CLIENT_RETRY: options.retry ?? true,
      ZEEBE_GRPC_CLIENT_MAX_RETRIES: 5,
    },
  } as ConstructorParameters<typeof Camunda8>[0]);
  const grpc = c8.getZeebeGrpcApiClient();
  const rest = c8.getCamundaRestClient();
  return {
    grpc,
    rest,
    async close() {
      rest.stopWorkers();
      await grpc.close(2000).catch(() => null);
    },
  };
}

/** Variables as the SDK types them (JSON documents). */
export type JsonDoc = NonNullable<Parameters<ZeebeGrpc['completeJob']>[0]['variables']>;
export const asJson = (variables: Record<string, unknown>): JsonDoc => variables as JsonDoc;
