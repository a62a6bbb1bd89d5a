import { monitorFixture } from './fixtures.ts';
import { monitorScenario } from './monitor-scenario.ts';

monitorScenario('BullMQManager', () => monitorFixture('bullmq'));
