/** An app whose pages folder (pages_throws/) holds a module that fails on import. */
import { Dash } from '../../../src/index.ts';

// A pagesFolder other than 'pages' turns pages on, as in Dash.
export const app = new Dash({ title: 'broken pages', pagesFolder: 'pages_throws' });
