/** The Redis keys (and pub/sub channel) of one store, all under its prefix. */
export interface StoreKeys {
  cooldowns: string;
  disabled: string;
  epoch: string;
  /** The pub/sub channel changes are published on. */
  channel: string;
  usage(scope: string): string;
  leases(account: string): string;
}

export function storeKeys(prefix: string): StoreKeys {
  return {
    cooldowns: `${prefix}cooldowns`,
    disabled: `${prefix}disabled`,
    epoch: `${prefix}epoch`,
    channel: `${prefix}changes`,
    usage: (scope) => `${prefix}usage:${scope}`,
    leases: (account) => `${prefix}leases:${account}`,
  };
}
