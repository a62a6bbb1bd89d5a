import { registerPage } from '../../../../src/index.ts';

registerPage({});
throw new Error('files starting with _ should not be imported');
