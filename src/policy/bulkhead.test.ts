import { describe, expect, it } from 'vitest';
import { Bulkhead } from './bulkhead.js';
import { BulkheadRejectedError } from './policy-errors.js';

describe('Bulkhead', () => {
  it('grants up to maxConcurrent slots at once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 0 });
    await bulkhead.acquire();
    await bulkhead.acquire();
    expect(bulkhead.snapshot()).toMatchObject({ active: 2, queued: 0 });
  });

  it('queues up to maxQueue, then rejects at once so the router can move on', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    await bulkhead.acquire();
    const queued = bulkhead.acquire();
    const error = await bulkhead.acquire().catch((e: unknown) => e);
    expect(BulkheadRejectedError.isInstance(error)).toBe(true);
    expect(bulkhead.snapshot()).toMatchObject({ active: 1, queued: 1, rejected: 1 });
    void queued;
  });

  it('hands a released slot to the first waiter (FIFO)', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const release = await bulkhead.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      bulkhead.acquire().then((r) => {
        order.push(n);
        r();
      }),
    );
    release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(bulkhead.snapshot()).toMatchObject({ active: 0, queued: 0 });
  });

  it('release works once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    const release = await bulkhead.acquire();
    release();
    release();
    expect(bulkhead.snapshot().active).toBe(0);
  });

  it('an aborted waiter leaves the queue and rejects with the signal reason', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const release = await bulkhead.acquire();
    const controller = new AbortController();
    const waiting = bulkhead.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(bulkhead.snapshot().queued).toBe(0);
    release();
    expect(bulkhead.snapshot().active).toBe(0);
  });

  it('execute releases the slot even when the call throws', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    await expect(
      bulkhead.execute(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(bulkhead.execute(async () => 42)).resolves.toBe(42);
    expect(bulkhead.snapshot().active).toBe(0);
  });
});
