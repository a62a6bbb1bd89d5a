/**
 * The Manager contract's start-stop marks (Manager.stopStartsBefore / startStops): what lets a
 * cancel or a newer call that reaches one server stop a start another server is still queueing
 * (src/background/start-stops.ts; the protocol test is test/protocol/cross-server-cancel*.test.ts).
 * Marks are per page load and key, the latest time wins, and every server process on the store
 * sees them. Runs inside managerContract.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { Manager } from '../../src/background/manager.ts';

export function startStopCases(manager: () => Manager, sibling: () => Promise<Manager>): void {
  it('start-stop marks: per page load and key, the latest wins, seen by every server on the store', async () => {
    const page = `page-${randomBytes(6).toString('hex')}`;
    const other = `page-${randomBytes(6).toString('hex')}`;
    const elsewhere = await sibling();
    const at = Date.now() + 0.25;
    assert.deepEqual(await manager().startStops(page, ['cancel\na', 'supersede\na\n"x"']), [0, 0]);
    await manager().stopStartsBefore(page, 'cancel\na', at);
    // An earlier mark, written later (an older start reaching the store late), never lowers it.
    await elsewhere.stopStartsBefore(page, 'cancel\na', at - 1000);
    await elsewhere.stopStartsBefore(page, 'supersede\na\n"x"', at - 5);
    assert.deepEqual(await elsewhere.startStops(page, ['cancel\na', 'supersede\na\n"x"', 'cancel\nb']), [
      at,
      at - 5,
      0,
    ]);
    assert.deepEqual(await manager().startStops(page, ['supersede\na\n"x"', 'cancel\na']), [at - 5, at]);
    await manager().stopStartsBefore(page, 'supersede\na\n"x"', at + 7);
    assert.deepEqual(await elsewhere.startStops(page, ['supersede\na\n"x"']), [at + 7]);
    // Another page load's marks are its own.
    assert.deepEqual(await manager().startStops(other, ['cancel\na', 'supersede\na\n"x"']), [0, 0]);
  });
}
