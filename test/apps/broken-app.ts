/** An app module that fails on import: workers that load it can never start. */
import { Dash } from '../../src/index.ts';

export const app = new Dash({ title: 'broken' });

throw new Error('broken-app: this module fails on import on purpose');
