import { registerPage } from '../../../../src/index.ts';

registerPage({});
