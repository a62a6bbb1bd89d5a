import { registerPage } from '../../../../../src/index.ts';

registerPage({});
throw new Error('files in directories starting with . should not be imported');
