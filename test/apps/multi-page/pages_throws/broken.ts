import { registerPage } from '../../../../src/index.ts';

registerPage({ layout: 'never used' });
throw new Error('this page module is broken');
