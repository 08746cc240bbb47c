// Our instance id ↔ the cluster's processInstanceKey. Our id is made first (the row, and the audit
// event `instance.created`, exist before the create command) and travels into the instance as the
// variable `bianzhiInstanceId`; the cluster is asked for the pairing when this process has not seen
// it (after a restart, or an instance another server process started): REST v2 variable search.
import type { CamundaRest } from './clients';

export const INSTANCE_ID_VARIABLE = 'bianzhiInstanceId';

type VariableFilter = Parameters<CamundaRest['searchVariables']>[0]['filter'];

export class InstanceKeys {
  private readonly keyOfId = new Map<string, string>();
  private readonly idOfKey = new Map<string, string>();

  constructor(private readonly rest: CamundaRest) {}

  remember(id: string, key: string): void {
    this.keyOfId.set(id, key);
    this.idOfKey.set(key, id);
  }

  knownKey(id: string): string | undefined {
    return this.keyOfId.get(id);
  }

  /** The processInstanceKeys of these ids that the cluster knows (unknown ones are left out). */
  keysOf(ids: readonly string[]): Promise<Map<string, string>> {
    return this.pairsOf(ids, this.keyOfId, (batch) => ({ value: { $in: batch.map((id) => JSON.stringify(id)) } }), 'id');
  }

  /** Our ids of these processInstanceKeys (instances not started by us are left out). */
  idsOf(keys: readonly string[]): Promise<Map<string, string>> {
    return this.pairsOf(keys, this.idOfKey, (batch) => ({ processInstanceKey: { $in: batch } }), 'key');
  }

  /** Each of `wanted` → its pair: from what this process has seen, else from the cluster's variable search. */
  private async pairsOf(wanted: readonly string[], seen: Map<string, string>, filterOf: (batch: string[]) => VariableFilter, by: 'id' | 'key'): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const missing: string[] = [];
    for (const one of wanted) {
      const pair = seen.get(one);
      if (pair) found.set(one, pair);
      else missing.push(one);
    }
    for (const batch of chunks(missing, 100)) {
      const response = await this.rest.searchVariables({ filter: { name: INSTANCE_ID_VARIABLE, ...filterOf(batch) }, page: { from: 0, limit: batch.length } });
      for (const item of response.items ?? []) this.learn(String(item.processInstanceKey), item.value, found, by);
    }
    return found;
  }

  private learn(key: string, value: string, into: Map<string, string>, by: 'id' | 'key'): void {
    let id: unknown;
    try {
      id = JSON.parse(value);
    } catch {
      return;
    }
    if (typeof id !== 'string') return;
    this.remember(id, key);
    if (by === 'id') into.set(id, key);
    else into.set(key, id);
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
