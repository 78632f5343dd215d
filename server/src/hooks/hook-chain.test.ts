import { describe, expect, it } from 'vitest';
import { HookChain } from './hook-chain.ts';

interface E {
  collection: { name: string; id: string };
  seen: string[];
  next(): Promise<void>;
}

const event = (name: string): Omit<E, 'next'> => ({ collection: { name, id: `id_${name}` }, seen: [] });

describe('HookChain (PocketBase semantics)', () => {
  it('runs handlers in registration order around next(), then the default action', async () => {
    const chain = new HookChain<E>((e) => e.collection);
    chain.bind(async (e) => {
      e.seen.push('a:before');
      await e.next();
      e.seen.push('a:after');
    });
    chain.bind(async (e) => {
      e.seen.push('b');
      await e.next();
    });
    const e = event('posts');
    await chain.trigger(e, (ev) => void ev.seen.push('final'));
    expect(e.seen).toEqual(['a:before', 'b', 'final', 'a:after']);
  });

  it('a handler that does not call next stops the chain and the default action', async () => {
    const chain = new HookChain<E>((e) => e.collection);
    chain.bind((e) => void e.seen.push('stop'));
    chain.bind((e) => void e.seen.push('never'));
    const e = event('posts');
    await chain.trigger(e, (ev) => void ev.seen.push('final'));
    expect(e.seen).toEqual(['stop']);
  });

  it('a handler limited to collections (by name or id) is skipped for others', async () => {
    const chain = new HookChain<E>((e) => e.collection);
    chain.bind(async (e) => {
      e.seen.push('posts only');
      await e.next();
    }, 'posts');
    chain.bind(async (e) => {
      e.seen.push('by id');
      await e.next();
    }, 'id_comments');
    const posts = event('posts');
    await chain.trigger(posts, (ev) => void ev.seen.push('final'));
    const comments = event('comments');
    await chain.trigger(comments, (ev) => void ev.seen.push('final'));
    expect(posts.seen).toEqual(['posts only', 'final']);
    expect(comments.seen).toEqual(['by id', 'final']);
  });

  it('a throw rejects the trigger and skips the default action', async () => {
    const chain = new HookChain<E>();
    chain.bind(() => {
      throw new Error('no');
    });
    const e = event('posts');
    await expect(chain.trigger(e, (ev) => void ev.seen.push('final'))).rejects.toThrow('no');
    expect(e.seen).toEqual([]);
  });
});
