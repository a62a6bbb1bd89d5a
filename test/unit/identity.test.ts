/** The anonymous session cookie's signing (src/app/identity.ts): only this secret's MACs verify. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionCookies } from '../../src/app/identity.ts';

const secret = Buffer.from('one secret');
const cookies = new SessionCookies(secret);

describe('SessionCookies', () => {
  it('issues a random id and a value that verifies to it, under any instance with the same secret', () => {
    const { user, value } = cookies.issue();
    assert.match(user, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(cookies.verify(value), user);
    // Another server process (or the same after a restart) with the shared secret agrees.
    assert.equal(new SessionCookies(Buffer.from('one secret')).verify(value), user);
    assert.notEqual(cookies.issue().user, user);
  });

  it('refuses a value signed under another secret', () => {
    const { value } = new SessionCookies(Buffer.from('another secret')).issue();
    assert.equal(cookies.verify(value), undefined);
  });

  it('refuses a changed MAC, another id with a real MAC, and garbled values', () => {
    const { user, value } = cookies.issue();
    const mac = value.slice(value.indexOf('.') + 1);
    const flipped = mac[0] === 'A' ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    const other = cookies.issue().user;
    for (const forged of [
      `${user}.${flipped}`,
      `${other}.${mac}`,
      `${user}.${mac.slice(0, -1)}`,
      `${user}.${mac}x`,
      `${user}`,
      `${user}.`,
      `.${mac}`,
      `${user}x.${mac}`,
      '',
      'garbage',
      `${user}.${mac}.${mac}`,
    ]) {
      assert.equal(cookies.verify(forged), undefined, forged);
    }
    assert.equal(cookies.verify(undefined), undefined);
  });
});
