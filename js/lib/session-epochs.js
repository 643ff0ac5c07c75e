// The epoch a session stores, in any EpochStore, under one namespace.

/** SESSION_NAMESPACE is the namespace a session's epoch is kept under by default. */
export const SESSION_NAMESPACE = 'lifecycle';

/** epochsOf binds an EpochStore ({get, raise}) to a namespace. */
export function epochsOf(store, namespace) {
  if (typeof store?.get !== 'function' || typeof store?.raise !== 'function') {
    throw new TypeError('licverify: createSessionStore: epochs must be an EpochStore, with get() and raise()');
  }
  if (typeof namespace !== 'string' || namespace === '') throw new TypeError('licverify: createSessionStore: namespace must be a non-empty string');
  return {
    get: () => store.get(namespace),
    raise: (epoch) => store.raise(namespace, epoch),
  };
}
