/**
 * The channel-neutral inbox: a message is recorded before it is acknowledged, its conversation
 * is leased, its turn runs, it is marked done, and what a crash left is resumed. Every channel
 * uses it the same way.
 */
export * from './inbox';
export { KeyedQueue } from './keyed-queue';
