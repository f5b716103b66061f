/**
 * TTL settings by table: dynalite lacks UpdateTimeToLive and reports TTL as always disabled, so the
 * settings are remembered here, each tied to the table's creation time so that a table recreated under
 * the same name starts without TTL.
 */

import type { Dynalite } from './dynalite';
import { dynamoDbErrors } from './errors';

export interface TtlSetting {
  readonly attributeName: string;
  /** Identifies the table generation the setting belongs to. */
  readonly tableCreatedAt: number;
}

/** The TTL setting of each table that has one. */
export class TtlSettings {
  readonly #byTable = new Map<string, TtlSetting>();

  constructor(private readonly dynalite: Dynalite) {}

  /** The setting of the table as it exists now (ResourceNotFoundException if it does not). */
  async current(tableName: string): Promise<TtlSetting | undefined> {
    const createdAt = await this.tableCreatedAt(tableName);
    const setting = this.#byTable.get(tableName);
    if (setting !== undefined && setting.tableCreatedAt !== createdAt) {
      this.#byTable.delete(tableName);
      return undefined;
    }
    return setting;
  }

  set(tableName: string, setting: TtlSetting): void {
    this.#byTable.set(tableName, setting);
  }

  delete(tableName: string): void {
    this.#byTable.delete(tableName);
  }

  /** The table's CreationDateTime, as dynalite describes it; dynalite's error if it has no such table. */
  async tableCreatedAt(tableName: string): Promise<number> {
    const { status, body } = await this.dynalite.call('DescribeTable', { TableName: tableName });
    const parsed = JSON.parse(body) as {
      Table?: { CreationDateTime?: number };
      __type?: string;
      message?: string;
    };
    if (status !== 200) {
      const code = parsed.__type?.split('#').pop() ?? 'InternalFailure';
      throw dynamoDbErrors.fromDynalite(
        code,
        parsed.message ?? `Requested resource not found: Table: ${tableName} not found`,
        status,
      );
    }
    return parsed.Table?.CreationDateTime ?? 0;
  }
}
